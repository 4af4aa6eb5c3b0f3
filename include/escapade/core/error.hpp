#pragma once
// The one error hierarchy of escapade. User mistakes (job files, command lines, paths) and I/O,
// MPI or PETSc failures throw these; messages locate the problem (file, key, value, what is
// allowed). Numerical trouble inside a trial is data (diverged / censored), never an exception.
#include <stdexcept>
#include <string>

namespace escapade {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A job file, command line or argument is wrong; `escapade` exits with code 2.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// Reading or writing a file or directory failed.
class IoError : public Error {
 public:
  using Error::Error;
};

// MPI communication failed or a peer sent something unexpected.
class CommError : public Error {
 public:
  using Error::Error;
};

// PETSc reported an error.
class PetscError : public Error {
 public:
  using Error::Error;
};

}  // namespace escapade
