#include "escapade/core/linalg.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace escapade::linalg {

bool cholesky(const std::vector<double>& a, std::size_t d, std::vector<double>& l, double tol) {
  l.assign(d * d, 0.0);
  double scale = 0;
  for (std::size_t i = 0; i < d; ++i) scale = std::max(scale, std::abs(a[i * d + i]));
  const double floor = tol * (scale > 0 ? scale : 1.0);
  for (std::size_t j = 0; j < d; ++j) {
    double diag = a[j * d + j];
    for (std::size_t k = 0; k < j; ++k) diag -= l[j * d + k] * l[j * d + k];
    if (diag < -floor * 1e3) return false;
    if (diag <= floor) continue;  // a (numerically) zero direction: leave the column zero
    const double ljj = std::sqrt(diag);
    l[j * d + j] = ljj;
    for (std::size_t i = j + 1; i < d; ++i) {
      double s = a[i * d + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = s / ljj;
    }
  }
  return true;
}

void symmetric_eigen_into(const double* a_in, std::size_t d, double* w, double* v, double* a) noexcept {
  std::copy(a_in, a_in + d * d, a);
  std::fill(v, v + d * d, 0.0);
  for (std::size_t i = 0; i < d; ++i) v[i * d + i] = 1.0;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, norm = 0;
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        norm += a[i * d + j] * a[i * d + j];
        if (i != j) off += a[i * d + j] * a[i * d + j];
      }
    if (off <= 1e-30 * norm || off == 0) break;
    for (std::size_t p = 0; p + 1 < d; ++p)
      for (std::size_t q = p + 1; q < d; ++q) {
        const double apq = a[p * d + q];
        if (apq == 0) continue;
        const double theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < d; ++k) {
          const double akp = a[k * d + p], akq = a[k * d + q];
          a[k * d + p] = c * akp - s * akq;
          a[k * d + q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < d; ++k) {
          const double apk = a[p * d + k], aqk = a[q * d + k];
          a[p * d + k] = c * apk - s * aqk;
          a[q * d + k] = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < d; ++k) {
          const double vkp = v[k * d + p], vkq = v[k * d + q];
          v[k * d + p] = c * vkp - s * vkq;
          v[k * d + q] = s * vkp + c * vkq;
        }
      }
  }
  for (std::size_t k = 0; k < d; ++k) w[k] = a[k * d + k];
  for (std::size_t k = 1; k < d; ++k)
    for (std::size_t m = k; m > 0 && w[m] < w[m - 1]; --m) {
      std::swap(w[m], w[m - 1]);
      for (std::size_t i = 0; i < d; ++i) std::swap(v[i * d + m], v[i * d + m - 1]);
    }
}

void symmetric_eigen(const std::vector<double>& a, std::size_t d, std::vector<double>& w,
                     std::vector<double>& v) {
  w.resize(d);
  v.resize(d * d);
  std::vector<double> work(d * d);
  symmetric_eigen_into(a.data(), d, w.data(), v.data(), work.data());
}

void matvec(const std::vector<double>& a, std::size_t d, const double* x, double* y) {
  for (std::size_t i = 0; i < d; ++i) {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) s += a[i * d + j] * x[j];
    y[i] = s;
  }
}

double trace(const std::vector<double>& a, std::size_t d) {
  double s = 0;
  for (std::size_t i = 0; i < d; ++i) s += a[i * d + i];
  return s;
}

double trace_product(const std::vector<double>& a, const std::vector<double>& b, std::size_t d) {
  double s = 0;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) s += a[i * d + j] * b[j * d + i];
  return s;
}

std::vector<double> solve_spd(const std::vector<double>& a, std::size_t d, const std::vector<double>& b) {
  std::vector<double> l;
  if (!cholesky(a, d, l, 0.0)) throw std::invalid_argument("matrix is not positive definite");
  for (std::size_t i = 0; i < d; ++i)
    if (l[i * d + i] == 0) throw std::invalid_argument("matrix is singular");
  std::vector<double> y(d), x(d);
  for (std::size_t i = 0; i < d; ++i) {
    double s = b[i];
    for (std::size_t k = 0; k < i; ++k) s -= l[i * d + k] * y[k];
    y[i] = s / l[i * d + i];
  }
  for (std::size_t i = d; i-- > 0;) {
    double s = y[i];
    for (std::size_t k = i + 1; k < d; ++k) s -= l[k * d + i] * x[k];
    x[i] = s / l[i * d + i];
  }
  return x;
}

}  // namespace escapade::linalg
