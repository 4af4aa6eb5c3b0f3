#include "escapade/landscape/mlp.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "escapade/core/error.hpp"
#include "escapade/core/linalg.hpp"

namespace escapade::landscape {

namespace {

using Activation = MlpSpec::Activation;
using Loss = MlpSpec::Loss;

void check_spec(const MlpSpec& s) {
  if (s.width == 0) throw std::invalid_argument("mlp: width must be >= 1");
  if (s.loss == Loss::mse && s.outputs != 1)
    throw std::invalid_argument("mlp: loss = mse needs outputs = 1, got " + std::to_string(s.outputs));
  if (s.loss == Loss::cross_entropy && s.outputs < 2)
    throw std::invalid_argument("mlp: loss = cross_entropy needs outputs (classes) >= 2, got " +
                                std::to_string(s.outputs));
}

// Numerically stable softplus and logistic: log1p(e^{−|z|}) never overflows.
double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); }
double logistic(double z) {
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

}  // namespace

const char* to_string(MlpSpec::Activation a) {
  switch (a) {
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
    case Activation::softplus: return "softplus";
  }
  return "?";
}
const char* to_string(MlpSpec::Loss l) { return l == Loss::mse ? "mse" : "cross_entropy"; }

MlpSpec::Activation parse_activation(const std::string& name) {
  if (name == "tanh") return Activation::tanh;
  if (name == "relu") return Activation::relu;
  if (name == "softplus") return Activation::softplus;
  throw std::invalid_argument("mlp: unknown activation \"" + name + "\" (allowed: tanh, relu, softplus)");
}
MlpSpec::Loss parse_loss(const std::string& name) {
  if (name == "mse") return Loss::mse;
  if (name == "cross_entropy") return Loss::cross_entropy;
  throw std::invalid_argument("mlp: unknown loss \"" + name + "\" (allowed: mse, cross_entropy)");
}

// ---------------------------------------------------------------------------------------------
// Digits loader

namespace {

// The whole file as text; gzip is detected by zlib itself (gzread passes plain files through).
std::string read_maybe_gzipped(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw IoError("digits: cannot open " + path + " (is python3-sklearn installed? see scripts/setup)");
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const int got = gzread(f, buf, sizeof buf);
    if (got < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      gzclose(f);
      throw IoError("digits: " + path + ": read failed after " + std::to_string(text.size()) +
                    " bytes (" + msg + ")");
    }
    if (got == 0) break;
    text.append(buf, static_cast<std::size_t>(got));
  }
  // A truncated gzip stream reads as a short file; gzclose_r reports it.
  const int rc = gzclose(f);
  if (rc != Z_OK && rc != Z_BUF_ERROR)
    throw IoError("digits: " + path + ": corrupt or truncated gzip stream (zlib code " + std::to_string(rc) + ")");
  if (rc == Z_BUF_ERROR) throw IoError("digits: " + path + ": truncated gzip stream");
  return text;
}

}  // namespace

Dataset load_digits(const std::string& path, std::size_t subset, const std::vector<int>& classes) {
  constexpr std::size_t pixels = 64;
  int relabel[10];
  std::fill(relabel, relabel + 10, -1);
  if (classes.empty()) {
    for (int c = 0; c < 10; ++c) relabel[c] = c;
  } else {
    for (std::size_t r = 0; r < classes.size(); ++r) {
      const int c = classes[r];
      if (c < 0 || c > 9) throw std::invalid_argument("digits: class " + std::to_string(c) + " is not a digit 0..9");
      if (relabel[c] >= 0) throw std::invalid_argument("digits: class " + std::to_string(c) + " selected twice");
      relabel[c] = static_cast<int>(r);
    }
  }
  const std::string text = read_maybe_gzipped(path);

  Dataset d;
  d.p = pixels;
  d.classes = classes.empty() ? 10 : classes.size();
  std::size_t line_no = 0, pos = 0, rows = 0;
  double row[pixels + 1];
  while (pos < text.size() && (subset == 0 || d.n < subset)) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    ++line_no;
    std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto where = [&] { return "digits: " + path + " line " + std::to_string(line_no) + ": "; };
    std::size_t field = 0, q = 0;
    while (true) {
      const std::size_t comma = std::min(line.find(',', q), line.size());
      const std::string_view tok = line.substr(q, comma - q);
      if (field > pixels) throw IoError(where() + "more than 65 fields (64 pixels and a label)");
      int v = 0;
      bool ok = !tok.empty() && tok.size() <= 3;
      for (char ch : tok) {
        if (ch < '0' || ch > '9') { ok = false; break; }
        v = 10 * v + (ch - '0');
      }
      if (!ok)
        throw IoError(where() + "field " + std::to_string(field + 1) + " is \"" + std::string(tok) +
                      "\", not a non-negative integer");
      if (field < pixels && v > 16)
        throw IoError(where() + "pixel " + std::to_string(field + 1) + " = " + std::to_string(v) + " outside 0..16");
      if (field == pixels && v > 9)
        throw IoError(where() + "label " + std::to_string(v) + " is not a digit 0..9");
      row[field++] = v;
      if (comma == line.size()) break;
      q = comma + 1;
    }
    if (field != pixels + 1)
      throw IoError(where() + std::to_string(field) + " fields, expected 65 (64 pixels and a label)");
    ++rows;
    const int cls = relabel[static_cast<int>(row[pixels])];
    if (cls < 0) continue;
    for (std::size_t q2 = 0; q2 < pixels; ++q2) d.x.push_back(row[q2] / 16.0);
    d.y.push_back(cls);
    ++d.n;
  }
  if (rows == 0) throw IoError("digits: " + path + ": no data lines");
  if (d.n == 0) throw std::invalid_argument("digits: " + path + ": the class selection leaves no rows");
  return d;
}

// ---------------------------------------------------------------------------------------------
// Mlp

Mlp::Mlp(const MlpSpec& spec, std::vector<double> x, std::vector<double> y, Vector theta_star)
    : spec_(spec), x_(std::move(x)), y_(std::move(y)), theta_star_(std::move(theta_star)) {
  check_spec(spec_);
  n_ = y_.size();
  if (n_ == 0) throw std::invalid_argument("mlp: no samples (y is empty)");
  if (x_.empty() || x_.size() % n_ != 0)
    throw std::invalid_argument("mlp: x has " + std::to_string(x_.size()) +
                                " entries, not a positive multiple of N = " + std::to_string(n_));
  p_ = x_.size() / n_;
  m_ = spec_.width;
  k_ = spec_.outputs;
  d_ = spec_.dim(p_);
  off_b_ = m_ * p_;
  off_a_ = off_b_ + m_;
  off_c_ = off_a_ + k_ * m_;
  for (double v : x_)
    if (!std::isfinite(v)) throw std::invalid_argument("mlp: x has a non-finite entry");
  for (double v : y_) {
    if (!std::isfinite(v)) throw std::invalid_argument("mlp: y has a non-finite entry");
    if (spec_.loss == Loss::cross_entropy &&
        (v < 0 || v >= static_cast<double>(k_) || v != std::floor(v)))
      throw std::invalid_argument("mlp: cross_entropy label " + std::to_string(v) + " is not a class in [0, " +
                                  std::to_string(k_) + ")");
  }
  if (theta_star_.size() != d_)
    throw std::invalid_argument("mlp: theta has " + std::to_string(theta_star_.size()) + " entries, expected d = " +
                                std::to_string(d_));
  for (double v : theta_star_)
    if (!std::isfinite(v)) throw std::invalid_argument("mlp: theta has a non-finite entry");
  for (auto* w : {&z_, &h_, &s1_, &s2_, &g_, &rz_, &rh_}) w->assign(m_, 0.0);
  for (auto* w : {&f_, &pi_, &delta_, &rf_, &rdelta_}) w->assign(k_, 0.0);
  unit_.assign(d_, 0.0);
  sharpness_ = lanczos_top();
}

Mlp::Vector Mlp::random_parameters(const MlpSpec& spec, std::size_t p, rng::Stream& stream) {
  check_spec(spec);
  const std::size_t m = spec.width, k = spec.outputs;
  const double s1 = 1.0 / std::sqrt(static_cast<double>(p)), s2 = 1.0 / std::sqrt(static_cast<double>(m));
  Vector theta(spec.dim(p));
  const std::size_t first = m * p + m;
  for (std::size_t t = 0; t < first; ++t) theta[t] = stream.normal() * s1;
  for (std::size_t t = first; t < first + k * m + k; ++t) theta[t] = stream.normal() * s2;
  return theta;
}

Mlp Mlp::generate(const MlpSpec& spec, std::size_t n, std::size_t p, double label_noise, rng::Stream& stream) {
  if (n == 0 || p == 0) throw std::invalid_argument("mlp: samples and input dimension must be >= 1");
  if (!(label_noise >= 0) || !std::isfinite(label_noise))
    throw std::invalid_argument("mlp: label_noise must be a finite number >= 0");
  check_spec(spec);
  Vector teacher = random_parameters(spec, p, stream);
  std::vector<double> x(n * p);
  for (double& v : x) v = stream.normal();
  // A teacher landscape on placeholder labels evaluates f(x_i; θ_T) with the same forward pass.
  const std::size_t k = spec.outputs;
  std::vector<double> y(n, 0.0);
  Mlp t(spec, x, y, teacher);
  for (std::size_t i = 0; i < n; ++i) {
    t.forward(i, teacher.data());
    if (spec.loss == Loss::mse) {
      y[i] = t.f_[0] + label_noise * stream.normal();
    } else {
      std::size_t best = 0;
      double best_v = 0;
      for (std::size_t c = 0; c < k; ++c) {
        const double v = t.f_[c] + label_noise * stream.normal();
        if (c == 0 || v > best_v) best = c, best_v = v;
      }
      y[i] = static_cast<double>(best);
    }
  }
  return Mlp(spec, std::move(x), std::move(y), std::move(teacher));
}

void Mlp::forward(std::size_t i, const double* theta) const {
  cur_ = i;
  const double* xi = &x_[i * p_];
  const double* b = theta + off_b_;
  for (std::size_t j = 0; j < m_; ++j) {
    const double* wj = theta + j * p_;
    double s = b[j];
    for (std::size_t q = 0; q < p_; ++q) s += wj[q] * xi[q];
    z_[j] = s;
    switch (spec_.activation) {
      case Activation::tanh: {
        const double t = std::tanh(s);
        h_[j] = t, s1_[j] = 1 - t * t, s2_[j] = -2 * t * (1 - t * t);
        break;
      }
      case Activation::relu:
        h_[j] = s > 0 ? s : 0.0, s1_[j] = s > 0 ? 1.0 : 0.0, s2_[j] = 0.0;
        break;
      case Activation::softplus: {
        const double sg = logistic(s);
        h_[j] = softplus(s), s1_[j] = sg, s2_[j] = sg * (1 - sg);
        break;
      }
    }
  }
  const double* a = theta + off_a_;
  const double* c = theta + off_c_;
  for (std::size_t k = 0; k < k_; ++k) {
    const double* ak = a + k * m_;
    double s = c[k];
    for (std::size_t j = 0; j < m_; ++j) s += ak[j] * h_[j];
    f_[k] = s;
  }
}

double Mlp::loss_and_delta() const {
  const double y = y_[cur_];
  if (spec_.loss == Loss::mse) {
    const double r = f_[0] - y;
    delta_[0] = r;
    return 0.5 * r * r;
  }
  const auto label = static_cast<std::size_t>(y);
  double mx = f_[0];
  for (std::size_t k = 1; k < k_; ++k) mx = std::max(mx, f_[k]);
  double se = 0;
  for (std::size_t k = 0; k < k_; ++k) se += (pi_[k] = std::exp(f_[k] - mx));
  for (std::size_t k = 0; k < k_; ++k) {
    pi_[k] /= se;
    delta_[k] = pi_[k] - (k == label ? 1.0 : 0.0);
  }
  return mx + std::log(se) - f_[label];
}

double Mlp::accumulate(std::size_t i, const double* theta, double* g, double scale) const {
  forward(i, theta);
  const double loss = loss_and_delta();
  if (!g) return loss;
  const double* a = theta + off_a_;
  for (std::size_t j = 0; j < m_; ++j) g_[j] = 0;
  for (std::size_t k = 0; k < k_; ++k) {
    const double dk = delta_[k];
    const double sdk = scale * dk;
    double* gak = g + off_a_ + k * m_;
    const double* ak = a + k * m_;
    for (std::size_t j = 0; j < m_; ++j) {
      gak[j] += sdk * h_[j];
      g_[j] += ak[j] * dk;
    }
    g[off_c_ + k] += sdk;
  }
  const double* xi = &x_[i * p_];
  for (std::size_t j = 0; j < m_; ++j) {
    const double e = scale * g_[j] * s1_[j];
    if (e == 0) continue;
    double* gwj = g + j * p_;
    for (std::size_t q = 0; q < p_; ++q) gwj[q] += e * xi[q];
    g[off_b_ + j] += e;
  }
  return loss;
}

void Mlp::accumulate_hvp(std::size_t i, const double* theta, const double* v, double* out, double scale) const {
  forward(i, theta);
  loss_and_delta();
  const double* xi = &x_[i * p_];
  const double* a = theta + off_a_;
  const double* va = v + off_a_;
  for (std::size_t j = 0; j < m_; ++j) {
    const double* vwj = v + j * p_;
    double s = v[off_b_ + j];
    for (std::size_t q = 0; q < p_; ++q) s += vwj[q] * xi[q];
    rz_[j] = s;
    rh_[j] = s1_[j] * s;
  }
  for (std::size_t k = 0; k < k_; ++k) {
    const double* ak = a + k * m_;
    const double* vak = va + k * m_;
    double s = v[off_c_ + k];
    for (std::size_t j = 0; j < m_; ++j) s += vak[j] * h_[j] + ak[j] * rh_[j];
    rf_[k] = s;
  }
  if (spec_.loss == Loss::mse) {
    rdelta_[0] = rf_[0];
  } else {
    double pr = 0;
    for (std::size_t k = 0; k < k_; ++k) pr += pi_[k] * rf_[k];
    for (std::size_t k = 0; k < k_; ++k) rdelta_[k] = pi_[k] * (rf_[k] - pr);
  }
  // g_ = Σ_k A_kj δ_k and its R-derivative (rz_ is still needed, so R g goes to a second pass).
  for (std::size_t j = 0; j < m_; ++j) g_[j] = 0;
  for (std::size_t k = 0; k < k_; ++k) {
    const double dk = delta_[k], rdk = rdelta_[k];
    const double* ak = a + k * m_;
    double* oak = out + off_a_ + k * m_;
    for (std::size_t j = 0; j < m_; ++j) {
      oak[j] += scale * (rdk * h_[j] + dk * rh_[j]);
      g_[j] += ak[j] * dk;
    }
    out[off_c_ + k] += scale * rdk;
  }
  for (std::size_t j = 0; j < m_; ++j) {
    double rg = 0;
    for (std::size_t k = 0; k < k_; ++k) rg += va[k * m_ + j] * delta_[k] + a[k * m_ + j] * rdelta_[k];
    const double re = scale * (rg * s1_[j] + g_[j] * s2_[j] * rz_[j]);
    if (re == 0) continue;
    double* owj = out + j * p_;
    for (std::size_t q = 0; q < p_; ++q) owj[q] += re * xi[q];
    out[off_b_ + j] += re;
  }
}

double Mlp::sample_value(std::size_t i, const Vector& theta) const { return accumulate(i, theta.data(), nullptr, 0); }

void Mlp::sample_gradient(std::size_t i, const Vector& theta, Vector& g) const {
  std::fill(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(d_), 0.0);
  accumulate(i, theta.data(), g.data(), 1.0);
}

void Mlp::sample_gradients(const std::size_t* idx, std::size_t b, const Vector& theta, double* G) const {
  for (std::size_t r = 0; r < b; ++r) {
    double* gr = G + r * d_;
    std::fill(gr, gr + d_, 0.0);
    accumulate(idx[r], theta.data(), gr, 1.0);
  }
}

void Mlp::batch_gradient(const std::size_t* idx, std::size_t b, const Vector& theta, Vector& g) const {
  std::fill(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(d_), 0.0);
  const double inv_b = 1.0 / static_cast<double>(b);
  for (std::size_t r = 0; r < b; ++r) accumulate(idx[r], theta.data(), g.data(), inv_b);
}

double Mlp::value(const Vector& theta) const {
  double s = 0;
  for (std::size_t i = 0; i < n_; ++i) s += accumulate(i, theta.data(), nullptr, 0);
  return s / static_cast<double>(n_);
}

void Mlp::gradient(const Vector& theta, Vector& g) const {
  std::fill(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(d_), 0.0);
  const double inv_n = 1.0 / static_cast<double>(n_);
  for (std::size_t i = 0; i < n_; ++i) accumulate(i, theta.data(), g.data(), inv_n);
}

void Mlp::hvp(const Vector& theta, const double* v, double* out) const {
  std::fill(out, out + d_, 0.0);
  const double inv_n = 1.0 / static_cast<double>(n_);
  for (std::size_t i = 0; i < n_; ++i) accumulate_hvp(i, theta.data(), v, out, inv_n);
}

void Mlp::batch_hvp(const std::size_t* idx, std::size_t b, const Vector& theta, const double* v, double* out) const {
  std::fill(out, out + d_, 0.0);
  const double inv_b = 1.0 / static_cast<double>(b);
  for (std::size_t r = 0; r < b; ++r) accumulate_hvp(idx[r], theta.data(), v, out, inv_b);
}

void Mlp::hessian(const Vector& theta, std::vector<double>& h) const {
  for (std::size_t j = 0; j < d_; ++j) {
    unit_[j] = 1.0;
    hvp(theta, unit_.data(), &h[j * d_]);
    unit_[j] = 0.0;
  }
  // Rows are H e_j exactly up to rounding; symmetrise so eigen-solvers see a symmetric matrix.
  for (std::size_t j = 0; j < d_; ++j)
    for (std::size_t k = j + 1; k < d_; ++k) {
      const double s = 0.5 * (h[j * d_ + k] + h[k * d_ + j]);
      h[j * d_ + k] = h[k * d_ + j] = s;
    }
}

double Mlp::lanczos_top() const {
  const std::size_t steps = std::min<std::size_t>(d_, 64);
  rng::Stream s(0x6d6c70, 0, 0, rng::Purpose::landscape_data);
  std::vector<double> q(steps * d_), w(d_), alpha(steps), beta(steps);
  double nrm = 0;
  for (std::size_t t = 0; t < d_; ++t) nrm += (q[t] = s.normal()) * q[t];
  nrm = std::sqrt(nrm);
  for (std::size_t t = 0; t < d_; ++t) q[t] /= nrm;
  std::size_t k = 0;
  for (; k < steps; ++k) {
    const double* qk = &q[k * d_];
    hvp(theta_star_, qk, w.data());
    double a = 0;
    for (std::size_t t = 0; t < d_; ++t) a += w[t] * qk[t];
    alpha[k] = a;
    // Full re-orthogonalisation (twice) against all previous vectors: Krylov spaces are tiny here.
    for (int pass = 0; pass < 2; ++pass)
      for (std::size_t r = 0; r <= k; ++r) {
        const double* qr = &q[r * d_];
        double c = 0;
        for (std::size_t t = 0; t < d_; ++t) c += w[t] * qr[t];
        for (std::size_t t = 0; t < d_; ++t) w[t] -= c * qr[t];
      }
    double b = 0;
    for (double v : w) b += v * v;
    b = std::sqrt(b);
    beta[k] = b;
    if (k + 1 == steps || b <= 1e-12 * std::max(1.0, std::fabs(a))) {
      ++k;
      break;
    }
    double* qn = &q[(k + 1) * d_];
    for (std::size_t t = 0; t < d_; ++t) qn[t] = w[t] / b;
  }
  std::vector<double> tri(k * k, 0.0), eig, vec;
  for (std::size_t r = 0; r < k; ++r) {
    tri[r * k + r] = alpha[r];
    if (r + 1 < k) tri[r * k + r + 1] = tri[(r + 1) * k + r] = beta[r];
  }
  linalg::symmetric_eigen(tri, k, eig, vec);
  return eig.back();
}

}  // namespace escapade::landscape
