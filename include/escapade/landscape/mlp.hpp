#pragma once
// mlp (issue 6): a two-layer network as a finite sum, so that true mini-batch SGD is the noise.
//
// Model, for an input x ∈ R^p, width m and K outputs (K = 1 for mse, K = number of classes for
// cross_entropy):
//
//   z_j = w_jᵀ x + b_j,   h_j = σ(z_j),   f_k(x; θ) = Σ_j A_kj h_j + c_k,   j = 1..m, k = 1..K,
//
// σ one of (Activation)
//   tanh:      σ = tanh z,                    σ' = 1 − σ²,          σ'' = −2 σ (1 − σ²)
//   relu:      σ = max(z, 0),                 σ' = [z > 0],         σ'' = 0 (kinks at z = 0 ignored)
//   softplus:  σ = log(1 + e^z),              σ' = s(z) = 1/(1+e^−z), σ'' = s (1 − s)
//
// Parameter order (θ ∈ R^d, d = m p + m + K m + K), row-major blocks one after another:
//   W  (m×p, θ[j·p + q] = W_jq, row j = w_j),  then b (m),  then A (K×m, A_kj),  then c (K).
//
// Loss of sample i (Loss), with label y_i:
//   mse:            ℓ_i = ½ (f(x_i) − y_i)²  (K = 1, y_i real),            δ_k = ∂ℓ/∂f_k = f − y,
//                   ∂²ℓ/∂f² = 1;
//   cross_entropy:  ℓ_i = log Σ_k e^{f_k} − f_{y_i}  (y_i ∈ {0..K−1} stored as a double),
//                   π = softmax(f),  δ = π − e_{y_i},  ∂²ℓ/∂f² = diag(π) − π πᵀ.
//   L(θ) = (1/N) Σ_i ℓ_i(θ).
//
// Gradient (back-propagation), per sample:
//   ∂ℓ/∂A_kj = δ_k h_j,  ∂ℓ/∂c_k = δ_k,  g_j = Σ_k A_kj δ_k,  e_j = g_j σ'(z_j),
//   ∂ℓ/∂W_jq = e_j x_q,  ∂ℓ/∂b_j = e_j.
// Hessian-vector product H v = ∇²ℓ v (Pearlmutter's R-operator, R{·} = d/dt(·)(θ + t v) at t = 0),
// with v split like θ into (V_W, v_b, V_A, v_c):
//   R z_j = V_W,jᵀ x + v_b,j,   R h_j = σ'(z_j) R z_j,   R f_k = Σ_j (V_A,kj h_j + A_kj R h_j) + v_c,k,
//   R δ = (∂²ℓ/∂f²) R f   (mse: R f;  cross_entropy: π ⊙ R f − π (πᵀ R f)),
//   R ∂ℓ/∂A_kj = R δ_k h_j + δ_k R h_j,   R ∂ℓ/∂c_k = R δ_k,
//   R g_j = Σ_k (V_A,kj δ_k + A_kj R δ_k),   R e_j = R g_j σ'(z_j) + g_j σ''(z_j) R z_j,
//   R ∂ℓ/∂W_jq = R e_j x_q,   R ∂ℓ/∂b_j = R e_j.
// This is the exact Hessian of ℓ (Gauss–Newton part and the curvature of σ both included); for
// relu it is exact away from the kinks z_j = 0. hvp(θ, v) is the mean over samples; hessian(θ, H)
// applies it to the d unit vectors (O(d N (m p + K m))); set-up and tests only.
//
// θ* (minimum(), where trials start) is the parameter vector the landscape was constructed with:
// the teacher for generate(), the caller's parameters otherwise (a stored minimum, later). It is
// a true minimum only where the data make it one (noiseless teacher data under mse: L(θ*) = 0).
// sharpness() is λ_max(∇²L(θ*)) by Lanczos with full re-orthogonalisation on exact
// Hessian-vector products: min(d, 64) steps from a fixed start vector (components drawn from
// rng::Stream(0x6d6c70, 0, 0, Purpose::landscape_data)), the largest Ritz value; computed once at
// construction.
//
// Teacher–student data (generate), all from one stream in this order:
//   1. teacher θ_T in parameter order: W and b entries z / sqrt(p), A and c entries z / sqrt(m),
//      z = stream.normal();
//   2. inputs: N·p values stream.normal(), row-major (x_i ~ N(0, I_p));
//   3. label noise: mse: N values z_i, y_i = f(x_i; θ_T) + label_noise · z_i;
//      cross_entropy: N·K values z_ik, y_i = argmax_k (f_k(x_i; θ_T) + label_noise · z_ik)
//      (lowest k on ties).
// The noise is drawn even when label_noise = 0, so the stream is consumed the same way.
//
// Digits (load_digits): the 8×8 handwritten digits of scikit-learn (1797 images; Debian's
// python3-sklearn installs kDigitsPath, gzipped; plain CSV is read too). Each line is 64 pixel
// intensities in 0..16 then the label in 0..9, comma-separated integers. Inputs are scaled to
// x = pixel / 16 ∈ [0, 1] (p = 64). `classes` selects digits (empty = all ten, in order 0..9) and
// relabels digit classes[r] as class r, keeping file order; `subset` > 0 keeps the first `subset`
// selected rows (0 = all). A missing, unreadable or malformed file throws IoError naming the file
// and the line.
//
// Units: θ dimensionless parameters, y and label_noise in output units, losses in output units²
// (mse) or nats (cross_entropy).
//
// Cost and threading: value / gradient / hvp are O(N (m p + K m)), the mini-batch gradient
// O(B (m p + K m)), with no allocation per call: the forward and backward work vectors are
// members sized at construction. They are mutable, so one Mlp must not be evaluated from two
// threads at once (copy it per thread).
#include <cstddef>
#include <string>
#include <vector>

#include "escapade/landscape/concepts.hpp"
#include "escapade/rng/stream.hpp"

namespace escapade::landscape {

struct MlpSpec {
  enum class Activation { tanh, relu, softplus };
  enum class Loss { mse, cross_entropy };
  std::size_t width = 1;    // m
  std::size_t outputs = 1;  // K: 1 for mse, the number of classes for cross_entropy
  Activation activation = Activation::tanh;
  Loss loss = Loss::mse;

  // d = m p + m + K m + K for input dimension p.
  std::size_t dim(std::size_t p) const { return width * p + width + outputs * width + outputs; }
};

// Names as in job files ("tanh", "relu", "softplus"; "mse", "cross_entropy"); the parsers throw
// std::invalid_argument listing the allowed names.
const char* to_string(MlpSpec::Activation a);
const char* to_string(MlpSpec::Loss l);
MlpSpec::Activation parse_activation(const std::string& name);
MlpSpec::Loss parse_loss(const std::string& name);

// A labelled data set: x N×p row-major, y N labels (class indices as doubles for classification).
struct Dataset {
  std::vector<double> x, y;
  std::size_t n = 0, p = 0, classes = 0;  // classes = 0 for regression
};

// Where Debian's python3-sklearn puts the digits CSV.
inline constexpr const char* kDigitsPath = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";

// Loads the digits CSV as documented above. Throws IoError (file, line) on a missing, unreadable
// or malformed file, std::invalid_argument on a bad class list (a digit outside 0..9 or repeated)
// or when the selection leaves no rows.
Dataset load_digits(const std::string& path, std::size_t subset = 0, const std::vector<int>& classes = {});

class Mlp {
 public:
  using Vector = std::vector<double>;

  // x: N×p row-major inputs, y: N labels, theta_star: the d parameters that become minimum().
  // Throws std::invalid_argument if the spec is inconsistent (width 0; mse with K ≠ 1;
  // cross_entropy with K < 2), y is empty, x.size() is not a positive multiple of N, an entry is
  // not finite, a cross_entropy label is not an integer in [0, K), or theta_star has the wrong size.
  Mlp(const MlpSpec& spec, std::vector<double> x, std::vector<double> y, Vector theta_star);
  Mlp(const MlpSpec& spec, const Dataset& data, Vector theta_star)
      : Mlp(spec, data.x, data.y, std::move(theta_star)) {}

  // Random parameters with the teacher's scales (step 1 of the generator): d draws from stream.
  static Vector random_parameters(const MlpSpec& spec, std::size_t p, rng::Stream& stream);

  // Teacher–student data as documented above; θ* is the teacher. Throws std::invalid_argument if
  // n or p is 0, the spec is inconsistent, or label_noise is not a finite number ≥ 0.
  static Mlp generate(const MlpSpec& spec, std::size_t n, std::size_t p, double label_noise,
                      rng::Stream& stream);

  std::size_t dim() const { return d_; }
  Vector minimum() const { return theta_star_; }
  std::size_t n_samples() const { return n_; }
  std::size_t input_dim() const { return p_; }
  const MlpSpec& spec() const { return spec_; }

  double sample_value(std::size_t i, const Vector& theta) const;
  // g ← ∇ℓ_i(θ).
  void sample_gradient(std::size_t i, const Vector& theta, Vector& g) const;
  // G (b×d row-major, row r) ← ∇ℓ_{idx[r]}(θ), r = 0..b−1.
  void sample_gradients(const std::size_t* idx, std::size_t b, const Vector& theta, double* G) const;
  // g ← (1/b) Σ_r ∇ℓ_{idx[r]}(θ), summed in r order (the mini-batch gradient).
  void batch_gradient(const std::size_t* idx, std::size_t b, const Vector& theta, Vector& g) const;

  double value(const Vector& theta) const;
  void gradient(const Vector& theta, Vector& g) const;
  // out ← ∇²L(θ) v (exact, R-operator), out of size d, no allocation.
  void hvp(const Vector& theta, const double* v, double* out) const;
  void hvp(const Vector& theta, const Vector& v, Vector& out) const { hvp(theta, v.data(), out.data()); }
  // (1/b) Σ_r ∇²ℓ_{idx[r]}(θ) v, the mini-batch Hessian-vector product.
  void batch_hvp(const std::size_t* idx, std::size_t b, const Vector& theta, const double* v, double* out) const;
  void hessian(const Vector& theta, std::vector<double>& h) const;
  double sharpness() const { return sharpness_; }

  const std::vector<double>& inputs() const { return x_; }  // N×p row-major
  const std::vector<double>& labels() const { return y_; }

 private:
  // ℓ_i(θ); adds scale·∇ℓ_i(θ) to g when g is not null.
  double accumulate(std::size_t i, const double* theta, double* g, double scale) const;
  // Adds scale·∇²ℓ_i(θ) v to out.
  void accumulate_hvp(std::size_t i, const double* theta, const double* v, double* out, double scale) const;
  void forward(std::size_t i, const double* theta) const;  // fills z_, h_, s1_, s2_, f_
  double loss_and_delta() const;                            // from f_: ℓ, fills delta_ (and pi_)
  double lanczos_top() const;

  MlpSpec spec_;
  std::vector<double> x_, y_;
  std::size_t n_ = 0, p_ = 0, m_ = 0, k_ = 0, d_ = 0;
  std::size_t off_b_ = 0, off_a_ = 0, off_c_ = 0;
  Vector theta_star_;
  double sharpness_ = 0;
  // Work vectors (sizes m or K), see "Cost and threading".
  mutable std::vector<double> z_, h_, s1_, s2_, f_, pi_, delta_, g_, rz_, rh_, rf_, rdelta_, unit_;
  mutable std::size_t cur_ = 0;  // the sample forward() last evaluated (its label is used)
};

static_assert(FiniteSum<Mlp>);

}  // namespace escapade::landscape
