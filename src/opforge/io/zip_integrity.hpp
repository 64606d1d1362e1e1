#pragma once
/// @file
/// Integrity of zip archives, the container of LibTorch's serialised
/// archives (checkpoints, best.pt, model.pt). Their writer stores a CRC-32 of
/// every entry, but LibTorch's reader is built without checking them, so a
/// file with overwritten bytes loads as if whole. libzip reads every entry
/// and checks it against its stored CRC-32, and the local headers against the
/// central directory.

#include <string>

namespace opforge::io {

/// Throws IoError "<what> '<path>' is corrupted: ..." (naming the entry where
/// one fails its check) when the file is not a consistent zip archive or any
/// entry's data differ from its CRC-32.
void verify_zip_integrity(const std::string& path, const std::string& what);

}  // namespace opforge::io
