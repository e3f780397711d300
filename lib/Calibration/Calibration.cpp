//===- Calibration.cpp - Running the model inside the compiler ------------===//
//
// Part of whittle.
//
//===----------------------------------------------------------------------===//

#include "whittle/Calibration/Calibration.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace mlir;

namespace whittle {

//===----------------------------------------------------------------------===//
// .npy files
//===----------------------------------------------------------------------===//

static std::string npyTypeName(StringRef descr) {
  // Byte order: '<' little, '|' not applicable, '=' native (little here).
  if (descr.size() < 3 || descr[0] == '>')
    return "";
  StringRef code = descr.drop_front();
  return llvm::StringSwitch<std::string>(code)
      .Case("f4", "float32")
      .Case("f8", "float64")
      .Case("f2", "float16")
      .Case("i1", "int8")
      .Case("i2", "int16")
      .Case("i4", "int32")
      .Case("i8", "int64")
      .Case("u1", "uint8")
      .Case("u2", "uint16")
      .Case("u4", "uint32")
      .Case("u8", "uint64")
      .Case("b1", "bool")
      .Default("");
}

/// Value of `key` in the header dict, up to the next ',' or ')' at depth 0.
static StringRef dictValue(StringRef header, StringRef key) {
  size_t at = header.find("'" + key.str() + "'");
  if (at == StringRef::npos)
    return "";
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  if (rest.starts_with("(")) {
    size_t close = rest.find(')');
    return close == StringRef::npos ? "" : rest.take_front(close + 1);
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).trim().trim("'\"");
}

std::optional<NpyArray> readNpy(StringRef path, std::string &error) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer) {
    error = path.str() + ": error: cannot read: " + buffer.getError().message();
    return std::nullopt;
  }
  StringRef bytes = (*buffer)->getBuffer();
  auto bad = [&](const std::string &why) {
    error = path.str() + ": error: not a valid .npy file: " + why;
    return std::nullopt;
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return bad("no \\x93NUMPY magic");
  unsigned major = (unsigned char)bytes[6];
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = (unsigned char)bytes[8] | ((unsigned char)bytes[9] << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = 0;
    for (int i = 3; i >= 0; --i)
      headerLen = (headerLen << 8) | (unsigned char)bytes[8 + i];
    offset = 12;
  } else {
    return bad("unknown version " + std::to_string(major));
  }
  if (offset + headerLen > bytes.size())
    return bad("truncated header");
  StringRef header = bytes.substr(offset, headerLen);
  NpyArray out;
  out.dtype = npyTypeName(dictValue(header, "descr"));
  if (out.dtype.empty())
    return bad("unsupported dtype '" + dictValue(header, "descr").str() + "'");
  if (dictValue(header, "fortran_order") != "False")
    return bad("Fortran-ordered arrays are not supported");
  StringRef shape = dictValue(header, "shape");
  if (!shape.consume_front("(") || !shape.consume_back(")"))
    return bad("no shape");
  SmallVector<StringRef> dims;
  shape.split(dims, ',', -1, /*KeepEmpty=*/false);
  int64_t count = 1;
  for (StringRef d : dims) {
    int64_t v;
    // Bounded so that the element count cannot overflow.
    if (d.trim().getAsInteger(10, v) || v < 0 || v > (int64_t(1) << 40) ||
        (v > 0 && count > (int64_t(1) << 40) / v))
      return bad("bad shape");
    out.shape.push_back(v);
    count *= v;
  }
  size_t elt = out.dtype == "bool" || out.dtype == "int8" || out.dtype == "uint8"
                   ? 1
               : out.dtype == "float16" || out.dtype == "int16" ||
                       out.dtype == "uint16"
                   ? 2
               : out.dtype == "float32" || out.dtype == "int32" ||
                       out.dtype == "uint32"
                   ? 4
                   : 8;
  StringRef payload = bytes.drop_front(offset + headerLen);
  if (payload.size() != count * elt)
    return bad("holds " + std::to_string(payload.size()) +
               " bytes of data, the header says " +
               std::to_string(count * elt));
  out.data.assign(payload.begin(), payload.end());
  return out;
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

/// Reads one sample file for input `info`, checking type and size. A leading
/// batch dimension of 1 may be left out or added.
static bool readInput(StringRef path, const TensorInfo &info,
                      std::vector<char> &bytes, std::string &error) {
  auto array = readNpy(path, error);
  if (!array)
    return false;
  if (array->dtype != info.elementType ||
      (int64_t)array->data.size() != info.bytes) {
    error = path.str() + ": error: holds " + array->dtype + shapeString(array->shape) +
            ", input '" + info.name + "' is " + info.elementType +
            shapeString(info.shape);
    return false;
  }
  bytes = std::move(array->data);
  return true;
}

static std::vector<std::string> listDir(StringRef dir, bool wantDirs,
                                        std::string &error) {
  std::vector<std::string> out;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec;
       it.increment(ec)) {
    bool isDir = llvm::sys::fs::is_directory(it->path());
    if (isDir != wantDirs)
      continue;
    if (!wantDirs && llvm::sys::path::extension(it->path()) != ".npy")
      continue;
    out.push_back(it->path());
  }
  if (ec)
    error = dir.str() + ": error: cannot list: " + ec.message();
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<CalibrationSet> loadCalibrationSet(StringRef dir,
                                                 const ModelInterface &model,
                                                 std::string &error) {
  if (!llvm::sys::fs::is_directory(dir)) {
    error = dir.str() + ": error: calibration directory does not exist";
    return std::nullopt;
  }
  CalibrationSet set;
  bool single = model.inputs.size() == 1;
  std::vector<std::string> entries = listDir(dir, !single, error);
  if (!error.empty())
    return std::nullopt;
  for (const std::string &entry : entries) {
    std::vector<std::vector<char>> sample(model.inputs.size());
    for (size_t i = 0; i < model.inputs.size(); ++i) {
      SmallString<256> path(entry);
      if (!single)
        llvm::sys::path::append(path, model.inputs[i].name + ".npy");
      if (!readInput(path, model.inputs[i], sample[i], error))
        return std::nullopt;
    }
    set.samples.push_back(std::move(sample));
  }
  if (set.samples.empty()) {
    error = dir.str() + (single ? ": error: no .npy calibration samples"
                                : ": error: no sample subdirectories (one per "
                                  "sample, holding <input>.npy per input)");
    return std::nullopt;
  }
  return set;
}

//===----------------------------------------------------------------------===//
// RelativeError
//===----------------------------------------------------------------------===//

void RelativeError::add(const float *got, const float *ref, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    double d = (double)got[i] - (double)ref[i];
    diff2 += d * d;
    ref2 += (double)ref[i] * ref[i];
  }
}

double RelativeError::value() const {
  if (ref2 > 0)
    return std::sqrt(diff2 / ref2);
  return diff2 > 0 ? INFINITY : 0.0;
}

} // namespace whittle
