#include "escapade/job/schema.hpp"

namespace escapade::job {

namespace {

// Builders keep the table below readable; every field of KeySpec is set explicitly.
KeySpec integer_key(std::string_view name, double min, std::string_view help) {
  return KeySpec{.name = name,
                 .type = KeyType::integer,
                 .required = true,
                 .sweepable = false,
                 .min = min,
                 .min_exclusive = false,
                 .max = std::nullopt,
                 .choices = {},
                 .help = help};
}

KeySpec positive_number(std::string_view name, std::string_view help) {
  return KeySpec{.name = name,
                 .type = KeyType::number,
                 .required = true,
                 .sweepable = true,
                 .min = 0.0,
                 .min_exclusive = true,
                 .max = std::nullopt,
                 .choices = {},
                 .help = help};
}

KeySpec nonnegative_number(std::string_view name, bool required, std::string_view help) {
  return KeySpec{.name = name,
                 .type = KeyType::number,
                 .required = required,
                 .sweepable = true,
                 .min = 0.0,
                 .min_exclusive = false,
                 .max = std::nullopt,
                 .choices = {},
                 .help = help};
}

std::vector<TableSpec> build_schema() {
  std::vector<TableSpec> tables;

  tables.push_back(TableSpec{
      .table = "job",
      .has_kind = false,
      .keys =
          {
              KeySpec{.name = "name",
                      .type = KeyType::string,
                      .required = true,
                      .sweepable = false,
                      .min = std::nullopt,
                      .min_exclusive = false,
                      .max = std::nullopt,
                      .choices = {},
                      .help = "the job's name, shown in the plot title and recorded in manifest.json"},
              integer_key("seed", 0.0, "the job's random seed"),
              integer_key("trials", 1.0, "trials per configuration"),
              integer_key("max_steps", 1.0,
                          "step horizon; a trial not escaped by then is censored"),
          },
      .kinds = {},
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
                  .exactly_one_of = {},
              },
              KindSpec{
                  .kind = "quadratic",
                  .help = "d-D quadratic L = ½ (θ − minimum)ᵀ H (θ − minimum), "
                          "H = R diag(eigenvalues) R^T",
                  .keys =
                      {
                          KeySpec{.name = "eigenvalues",
                                  .type = KeyType::vector,
                                  .required = true,
                                  .sweepable = true,
                                  .min = 0.0,
                                  .min_exclusive = true,
                                  .max = std::nullopt,
                                  .choices = {},
                                  .help = "the Hessian's eigenvalues; their count is the "
                                          "dimension d"},
                          KeySpec{.name = "rotation",
                                  .type = KeyType::number_or_matrix,
                                  .required = false,
                                  .sweepable = true,
                                  .min = std::nullopt,
                                  .min_exclusive = false,
                                  .max = std::nullopt,
                                  .choices = {},
                                  .help = "R: a d×d orthogonal matrix whose columns are "
                                          "the eigenvectors, or for d = 2 an angle in radians; "
                                          "default identity"},
                          KeySpec{.name = "minimum",
                                  .type = KeyType::vector,
                                  .required = false,
                                  .sweepable = true,
                                  .min = std::nullopt,
                                  .min_exclusive = false,
                                  .max = std::nullopt,
                                  .choices = {},
                                  .help = "the minimum θ*; default zeros"},
                      },
                  .exactly_one_of = {},
              },
          },
  });

  tables.push_back(TableSpec{
      .table = "dynamics",
      .has_kind = false,
      .keys = {positive_number("lr", "learning rate η")},
      .kinds = {},
  });

  tables.push_back(TableSpec{
      .table = "noise",
      .has_kind = true,
      .keys = {},
      .kinds =
          {
              KindSpec{.kind = "none",
                       .help = "no gradient noise (gradient descent)",
                       .keys = {},
                       .exactly_one_of = {}},
              KindSpec{
                  .kind = "isotropic",
                  .help = "Gaussian gradient noise with covariance sigma² I",
                  .keys =
                      {
                          nonnegative_number("sigma", false,
                                             "std of each gradient-noise component"),
                          nonnegative_number("trace", false,
                                             "Tr Σ = d·sigma², the total "
                                             "gradient-noise variance"),
                      },
                  .exactly_one_of = {{"sigma", "trace"}},
              },
          },
  });

  tables.push_back(TableSpec{
      .table = "escape",
      .has_kind = true,
      .keys = {},
      .kinds =
          {
              KindSpec{.kind = "barrier",
                       .help = "first crossing of the landscape's barrier top (saddle)",
                       .keys = {},
                       .exactly_one_of = {}},
              KindSpec{.kind = "ball",
                       .help = "first exit from the ball ‖θ − minimum‖ ≤ radius",
                       .keys = {positive_number("radius",
                                                "radius of the ball around the "
                                                "minimum, in parameter units")},
                       .exactly_one_of = {}},
          },
  });

  return tables;
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

}  // namespace escapade::job
