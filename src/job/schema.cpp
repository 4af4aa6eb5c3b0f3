#include "escapade/job/schema.hpp"

#include <utility>

namespace escapade::job {

namespace {

// Builders keep the tables below readable. A key starts required and sweepable; the modifiers
// below narrow it.
KeySpec key(std::string_view name, KeyType type, std::string_view help) {
  return KeySpec{.name = name,
                 .type = type,
                 .required = true,
                 .sweepable = true,
                 .min = std::nullopt,
                 .min_exclusive = false,
                 .max = std::nullopt,
                 .choices = {},
                 .help = help,
                 .fields = {},
                 .min_columns = 0};
}

KeySpec optional(KeySpec k) {
  k.required = false;
  return k;
}

KeySpec fixed(KeySpec k) {
  k.sweepable = false;
  return k;
}

KeySpec above(KeySpec k, double min) {
  k.min = min;
  k.min_exclusive = true;
  return k;
}

KeySpec at_least(KeySpec k, double min) {
  k.min = min;
  k.min_exclusive = false;
  return k;
}

KeySpec at_most(KeySpec k, double max) {
  k.max = max;
  return k;
}

KeySpec one_of(KeySpec k, std::vector<std::string_view> choices) {
  k.choices = std::move(choices);
  return k;
}

KeySpec integer_key(std::string_view name, double min, std::string_view help) {
  return fixed(at_least(key(name, KeyType::integer, help), min));
}

KeySpec positive_number(std::string_view name, std::string_view help) {
  return above(key(name, KeyType::number, help), 0.0);
}

KeySpec nonnegative_number(std::string_view name, bool required, std::string_view help) {
  KeySpec k = at_least(key(name, KeyType::number, help), 0.0);
  k.required = required;
  return k;
}

KeySpec boolean_key(std::string_view name, std::string_view help) {
  return optional(key(name, KeyType::boolean, help));
}

// ---- Keys shared by several kinds.

KeySpec data_key() {
  return optional(one_of(key("data", KeyType::string,
                             "where the data come from: \"per_job\" draws them once for the "
                             "whole job from its seed (every configuration sees the same data), "
                             "\"per_trial\" draws them anew for each trial id (shared by the "
                             "configurations of a sweep); default per_job"),
                         {"per_job", "per_trial"}));
}

// `match = { sgd_batch = B, replacement = false }`: a Gaussian noise scaled to the trace of
// mini-batch SGD's gradient-noise covariance at batch B.
KeySpec match_key() {
  KeySpec k = optional(key("match", KeyType::table,
                           "scale the noise to Tr of mini-batch SGD's gradient-noise covariance "
                           "at batch size sgd_batch, sampled with or without replacement; an "
                           "alternative to trace"));
  k.fields = {
      fixed(at_least(key("sgd_batch", KeyType::integer, "the SGD batch size B matched"), 1.0)),
      fixed(boolean_key("replacement",
                        "true: batches drawn with replacement (Σ_1/B), false: without "
                        "((N−B)/(B(N−1)) Σ_1); default false")),
  };
  return k;
}

KeySpec units_key() {
  return optional(one_of(key("units", KeyType::string,
                             "what the given magnitudes (sigma, trace, variances, matrix) "
                             "measure: \"gradient\" the gradient-noise covariance Σ, "
                             "\"parameter\" the per-step parameter-noise covariance η²Σ; "
                             "default gradient"),
                         {"gradient", "parameter"}));
}

KeySpec trace_key(std::string_view help) { return nonnegative_number("trace", false, help); }

KeySpec at_key(std::vector<std::string_view> choices, std::string_view help) {
  return optional(one_of(key("at", KeyType::string, help), std::move(choices)));
}

KeySpec record_direction_key() {
  return boolean_key("record_direction",
                     "also record the escape displacement's share along H's top and flattest "
                     "eigenvectors; default false");
}

// A Gaussian noise whose magnitude is a trace or a match to SGD, and whose covariance shape is
// H(θ) or derived from it (hessian, hessian_top, gradient_covariance).
KindSpec structured_gaussian(std::string_view kind, std::string_view help, KeySpec at) {
  return KindSpec{
      .kind = kind,
      .help = help,
      .keys = {trace_key("Tr Σ, the total gradient-noise variance"), match_key(), std::move(at),
               units_key()},
      .exactly_one_of = {{"trace", "match"}},
      .at_most_one_of = {},
  };
}

std::vector<TableSpec> build_schema() {
  std::vector<TableSpec> tables;

  tables.push_back(TableSpec{
      .table = "job",
      .has_kind = false,
      .keys =
          {
              fixed(key("name", KeyType::string,
                        "the job's name, shown in the plot title and recorded in manifest.json")),
              integer_key("seed", 0.0, "the job's random seed"),
              integer_key("trials", 1.0, "trials per configuration"),
              integer_key("max_steps", 1.0,
                          "step horizon; a trial not escaped by then is censored"),
          },
      .kinds = {},
      .kind_sweepable = false,
  });

  tables.push_back(TableSpec{
      .table = "landscape",
      .has_kind = true,
      .keys = {},
      .kinds =
          {
              KindSpec{
                  .kind = "kramers_well",
                  .help = "1-D C1 piecewise quadratic well: minimum at 0 with curvature a, "
                          "barrier top of height barrier with curvature −b",
                  .keys =
                      {
                          positive_number("a", "curvature at the minimum"),
                          positive_number("b", "curvature magnitude at the barrier top"),
                          positive_number("barrier", "barrier height ΔU"),
                      },
              },
              KindSpec{
                  .kind = "quadratic",
                  .help = "d-D quadratic L = ½ (θ − minimum)ᵀ H (θ − minimum), "
                          "H = R diag(eigenvalues) R^T",
                  .keys =
                      {
                          above(key("eigenvalues", KeyType::vector,
                                    "the Hessian's eigenvalues; their count is the dimension d"),
                                0.0),
                          optional(key("rotation", KeyType::number_or_matrix,
                                       "R: a d×d orthogonal matrix whose columns are the "
                                       "eigenvectors, or for d = 2 an angle in radians; "
                                       "default identity")),
                          optional(key("minimum", KeyType::vector,
                                       "the minimum θ*; default zeros")),
                      },
              },
              KindSpec{
                  .kind = "double_well",
                  .help = "1-D double well U = ΔU ((x/w)² − 1)², minima at ±w, barrier top "
                          "at 0",
                  .keys =
                      {
                          optional(positive_number(
                              "barrier", "barrier height ΔU; default 0.25 (U = x⁴/4 − x²/2)")),
                          optional(positive_number(
                              "width", "w, the distance of the minima from the barrier top; "
                                       "default 1")),
                      },
              },
              KindSpec{
                  .kind = "per_sample_quadratic",
                  .help = "finite sum of ℓ_i = ½ Σ_j h_ij (θ_j − c_ij)², i = 1..samples, "
                          "j = 1..dim",
                  .keys =
                      {
                          at_least(key("samples", KeyType::integer, "N, the number of samples"),
                                   1.0),
                          optional(at_least(
                              key("dim", KeyType::integer, "d, the dimension; default 1"), 1.0)),
                          above(key("h", KeyType::data_or_distribution,
                                    "the curvatures h_ij: N·d numbers (row-major), an N×d "
                                    "matrix or a distribution to draw them from"),
                                0.0),
                          key("c", KeyType::data_or_distribution,
                              "the centres c_ij: N·d numbers (row-major), an N×d matrix or a "
                              "distribution to draw them from"),
                          data_key(),
                      },
              },
              KindSpec{
                  .kind = "zhu2d",
                  .help = "Zhu et al.'s 2-D toy: a sharp minimum at (1, 1) and a flat one at "
                          "(−1, −1)",
                  .keys =
                      {
                          optional(at_least(key("samples", KeyType::integer,
                                                "N, the number of data points; default 100"),
                                            2.0)),
                          optional(positive_number(
                              "scale", "multiplies the sharp branch: its Hessian eigenvalues are "
                                       "20·scale and 200·scale; default 1 (the paper's)")),
                          data_key(),
                      },
              },
              KindSpec{
                  .kind = "least_squares",
                  .help = "linear least squares, ℓ_i = ½ (x_iᵀθ − y_i)², on teacher–student "
                          "synthetic data",
                  .keys =
                      {
                          at_least(key("samples", KeyType::integer, "N, the number of samples"),
                                   1.0),
                          at_least(key("dim", KeyType::integer, "d, the number of parameters"),
                                   1.0),
                          optional(nonnegative_number(
                              "label_noise", false, "std of the noise added to the labels y_i; "
                                                    "default 0.1")),
                          data_key(),
                      },
              },
          },
      .kind_sweepable = false,
  });

  tables.push_back(TableSpec{
      .table = "dynamics",
      .has_kind = false,
      .keys = {positive_number("lr", "learning rate η")},
      .kinds = {},
      .kind_sweepable = false,
  });

  tables.push_back(TableSpec{
      .table = "noise",
      .has_kind = true,
      .keys = {},
      .kinds =
          {
              KindSpec{.kind = "none",
                       .help = "no gradient noise (gradient descent)",
                       .keys = {}},
              KindSpec{
                  .kind = "isotropic",
                  .help = "Gaussian gradient noise with covariance sigma² I",
                  .keys =
                      {
                          nonnegative_number("sigma", false,
                                             "std of each gradient-noise component"),
                          trace_key("Tr Σ = d·sigma², the total gradient-noise variance"),
                          match_key(),
                          units_key(),
                      },
                  .exactly_one_of = {{"sigma", "trace", "match"}},
              },
              KindSpec{
                  .kind = "diagonal",
                  .help = "Gaussian gradient noise with covariance diag(variances)",
                  .keys =
                      {
                          optional(at_least(
                              key("variances", KeyType::vector,
                                  "the diagonal of Σ; their count is the dimension d (absent with "
                                  "match: the diagonal of SGD's covariance at θ*, Zhu's GLD diag)"),
                              0.0)),
                          trace_key("rescale variances so that their sum is this trace"),
                          match_key(),
                          units_key(),
                      },
                  .at_most_one_of = {{"trace", "match"}},
              },
              KindSpec{
                  .kind = "covariance",
                  .help = "Gaussian gradient noise with a constant covariance matrix",
                  .keys =
                      {
                          key("matrix", KeyType::matrix,
                              "Σ, a symmetric positive semi-definite d×d matrix"),
                          trace_key("rescale matrix so that its trace is this trace"),
                          match_key(),
                          units_key(),
                      },
                  .at_most_one_of = {{"trace", "match"}},
              },
              structured_gaussian(
                  "hessian", "Gaussian gradient noise with covariance c·H, scaled to a trace",
                  at_key({"minimum", "current"},
                         "where H is taken: at the minimum θ* or at the current θ; default "
                         "minimum")),
              structured_gaussian(
                  "hessian_top",
                  "Gaussian gradient noise along H's top eigenvector only, scaled to a trace",
                  at_key({"minimum", "current"},
                         "where H is taken: at the minimum θ* or at the current θ; default "
                         "minimum")),
              structured_gaussian(
                  "gradient_covariance",
                  "Gaussian gradient noise with covariance c·Σ_1(θ), the per-sample gradient "
                  "covariance, scaled to a trace",
                  at_key({"current", "minimum"},
                         "where Σ_1 is taken: at the current θ or at the minimum θ*; default "
                         "current")),
              KindSpec{
                  .kind = "power_law",
                  .help = "Gaussian gradient noise with variance var_g + var_h (θ − θ*)²",
                  .keys =
                      {
                          nonnegative_number("var_g", true,
                                             "σ_g, the noise variance at the minimum"),
                          nonnegative_number("var_h", true,
                                             "σ_H, the coefficient of (θ − θ*)² in the variance"),
                      },
              },
              KindSpec{
                  .kind = "sgd",
                  .help = "true mini-batch SGD on a finite-sum landscape",
                  .keys =
                      {
                          at_least(key("batch_size", KeyType::integer, "B, the batch size"), 1.0),
                          boolean_key("replacement",
                                      "true: batches drawn with replacement; default false"),
                      },
              },
              KindSpec{
                  .kind = "multiplicative",
                  .help = "per-sample weights m_i with mean 1 on a finite-sum landscape",
                  .keys =
                      {
                          one_of(key("weights", KeyType::string,
                                     "the law of the weights m_i"),
                                 {"gaussian_fisher", "gaussian_cov", "bernoulli"}),
                          at_least(key("batch_size", KeyType::integer,
                                       "B, the batch size the weights' variance matches"),
                                   1.0),
                      },
              },
              KindSpec{
                  .kind = "levy",
                  .help = "symmetric α-stable gradient noise of intensity epsilon",
                  .keys =
                      {
                          at_most(positive_number("alpha", "the stability index α"), 2.0),
                          positive_number("epsilon",
                                          "the noise intensity ε: one step adds ε η^(1/α) S to "
                                          "θ, S standard α-stable"),
                          optional(one_of(key("form", KeyType::string,
                                              "\"coordinate\": independent α-stable "
                                              "components, \"isotropic\": rotationally "
                                              "invariant; default coordinate"),
                                          {"coordinate", "isotropic"})),
                      },
              },
          },
      .kind_sweepable = true,
  });

  tables.push_back(TableSpec{
      .table = "escape",
      .has_kind = true,
      .keys = {},
      .kinds =
          {
              KindSpec{.kind = "barrier",
                       .help = "first crossing of the landscape's barrier top (saddle)",
                       .keys = {record_direction_key()}},
              KindSpec{.kind = "ball",
                       .help = "first exit from the ball ‖θ − minimum‖ ≤ radius",
                       .keys = {positive_number("radius",
                                                "radius of the ball around the "
                                                "minimum, in parameter units"),
                                record_direction_key()}},
              KindSpec{.kind = "loss",
                       .help = "first time the loss exceeds L* + delta, or factor·L*",
                       .keys = {optional(positive_number(
                                    "delta", "escaped when L(θ) − L(θ*) > delta")),
                                optional(above(key("factor", KeyType::number,
                                                   "escaped when L(θ) > factor·L(θ*)"),
                                               1.0)),
                                record_direction_key()},
                       .exactly_one_of = {{"delta", "factor"}}},
              KindSpec{.kind = "region",
                       .help = "first entry into an intersection of half-spaces",
                       .keys = {[] {
                                  KeySpec k = key(
                                      "halfspaces", KeyType::matrix,
                                      "one row [n_1, ..., n_d, c] per half-space n·θ < c; the "
                                      "region is their intersection");
                                  k.min_columns = 2;
                                  return k;
                                }(),
                                boolean_key("final",
                                            "also report whether the final iterate at max_steps "
                                            "is in the region (p_final_in_region); default false"),
                                record_direction_key()}},
          },
      .kind_sweepable = false,
  });

  // [reference]: how the exact references are computed. Not part of any configuration (it never
  // changes a trial), so it is not swept and not in the configuration keys.
  tables.push_back(TableSpec{
      .table = "reference",
      .has_kind = false,
      .keys = {fixed(optional(key("petsc_options", KeyType::string,
                                  "PETSc options for the reference solver, e.g. \"-kolmogorov_ksp_type "
                                  "bcgs -kolmogorov_pc_type gamg\"")))},
      .kinds = {},
      .kind_sweepable = false,
      .required = false,
  });

  return tables;
}

std::vector<DistributionForm> build_forms() {
  return {
      DistributionForm{.name = "constant",
                       .params = {{"v", false}},
                       .ordered = false,
                       .help = "every draw is v"},
      DistributionForm{.name = "normal",
                       .params = {{"mean", false}, {"std", true}},
                       .ordered = false,
                       .help = "Gaussian with this mean and standard deviation"},
      DistributionForm{.name = "uniform",
                       .params = {{"lo", false}, {"hi", false}},
                       .ordered = true,
                       .help = "uniform on [lo, hi)"},
      DistributionForm{.name = "lognormal",
                       .params = {{"mu", false}, {"sigma", true}},
                       .ordered = false,
                       .help = "exp of a Gaussian with mean mu and standard deviation sigma"},
      DistributionForm{.name = "gamma",
                       .params = {{"shape", true}, {"scale", true}},
                       .ordered = false,
                       .help = "Gamma with this shape k and scale θ (mean k·θ)"},
  };
}

}  // namespace

const std::vector<TableSpec>& schema() {
  static const std::vector<TableSpec> tables = build_schema();
  return tables;
}

const TableSpec* find_table(std::string_view table) {
  for (const TableSpec& t : schema()) {
    if (t.table == table) return &t;
  }
  return nullptr;
}

const KindSpec* find_kind(const TableSpec& table, std::string_view kind) {
  for (const KindSpec& k : table.kinds) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

const std::vector<DistributionForm>& distribution_forms() {
  static const std::vector<DistributionForm> forms = build_forms();
  return forms;
}

const DistributionForm* find_distribution_form(std::string_view name) {
  for (const DistributionForm& f : distribution_forms()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

}  // namespace escapade::job
