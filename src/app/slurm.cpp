// `escapade slurm`: sbatch scripts for a job (docs/SLURM.md).
#include <stdexcept>

#include "commands.hpp"

namespace escapade::app {

int slurm_command(const SlurmOptions&) { throw std::runtime_error("escapade slurm: not written yet"); }

}  // namespace escapade::app
