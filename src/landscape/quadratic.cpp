#include "escapade/landscape/quadratic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace escapade::landscape {

Quadratic::Quadratic(std::vector<double> eigenvalues, std::vector<double> rotation,
                     std::vector<double> minimum)
    : eig_(std::move(eigenvalues)), min_(std::move(minimum)) {
  const std::size_t d = eig_.size();
  if (d == 0) throw std::invalid_argument("eigenvalues must not be empty");
  if (min_.empty()) min_.assign(d, 0.0);
  if (min_.size() != d)
    throw std::invalid_argument("minimum has " + std::to_string(min_.size()) +
                                " components but eigenvalues has " + std::to_string(d));
  sharpness_ = *std::max_element(eig_.begin(), eig_.end());
  h_.assign(d * d, 0.0);
  if (rotation.empty()) {
    for (std::size_t i = 0; i < d; ++i) h_[i * d + i] = eig_[i];
    diag_ = eig_;
    return;
  }
  if (rotation.size() != d * d)
    throw std::invalid_argument("rotation must be a " + std::to_string(d) + "x" + std::to_string(d) +
                                " matrix to match eigenvalues");
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      double qtq = 0;
      for (std::size_t k = 0; k < d; ++k) qtq += rotation[k * d + i] * rotation[k * d + j];
      if (std::abs(qtq - (i == j ? 1.0 : 0.0)) > 1e-9)
        throw std::invalid_argument("rotation is not orthogonal (QᵀQ differs from I by more than 1e-9)");
    }
  // H = Q diag(λ) Qᵀ
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      double s = 0;
      for (std::size_t k = 0; k < d; ++k) s += rotation[i * d + k] * eig_[k] * rotation[j * d + k];
      h_[i * d + j] = s;
    }
  // Rotations that map axes onto axes (identity, permutations, sign flips) leave H diagonal.
  diagonal_ = true;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j)
      if (i != j && h_[i * d + j] != 0.0) diagonal_ = false;
  for (std::size_t i = 0; i < d; ++i) diag_.push_back(h_[i * d + i]);
}

double Quadratic::value(const Vector& x) const {
  const std::size_t d = eig_.size();
  double s = 0;
  for (std::size_t i = 0; i < d; ++i)
    for (std::size_t j = 0; j < d; ++j) s += (x[i] - min_[i]) * h_[i * d + j] * (x[j] - min_[j]);
  return 0.5 * s;
}

std::vector<double> rotation_2d(double phi) {
  const double c = std::cos(phi), s = std::sin(phi);
  return {c, -s, s, c};
}

}  // namespace escapade::landscape
