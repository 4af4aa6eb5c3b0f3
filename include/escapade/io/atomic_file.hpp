#pragma once
// Writing a whole file so that readers see the old or the new content, never a part:
// write to "<file>.tmp", fsync, rename over <file>.
#include <filesystem>
#include <string_view>

namespace escapade::io {

// Throws IoError naming the file and the system's reason.
void write_file_atomically(const std::filesystem::path& file, std::string_view content);

}  // namespace escapade::io
