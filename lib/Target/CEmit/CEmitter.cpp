//===- CEmitter.cpp - Loop-level IR to freestanding C99 -------------------===//
//
// Part of whittle. Translates the shared loop level (scf + arith + math +
// memref over one planned arena) to one C99 translation unit that includes
// only <stdint.h>, <stddef.h> and the model header. Memrefs are pointers to
// the root of their buffer; the static offset and strides in each memref type
// are applied at every load and store, so views cost nothing at run time.
//
// EmitC was considered: its memref conversion models buffers as C arrays and
// has no notion of the arena views and strided subviews this level is made
// of, so a direct emitter is both simpler and complete here.
//
//===----------------------------------------------------------------------===//

#include "whittle/Target/C/CEmitter.h"
#include "whittle/Target/Interface/ModelInterface.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"

#include <cstring>

using namespace mlir;

namespace whittle {
namespace {

/// Helpers the generated code may call; only those used are emitted.
enum Helper : unsigned {
  kSqrtF32 = 1 << 0,
  kAbsF32 = 1 << 1,
  kMaximumF32 = 1 << 2,
  kMinimumF32 = 1 << 3,
  kMaxNumF32 = 1 << 4,
  kMinNumF32 = 1 << 5,
  kBitsF32 = 1 << 6,
  kF32AsI32 = 1 << 7,
  kI32AsF32 = 1 << 8,
  kCopySignF32 = 1 << 9,
  kMaximumF64 = 1 << 10,
  kMinimumF64 = 1 << 11,
  kMaxNumF64 = 1 << 12,
  kMinNumF64 = 1 << 13,
  kF64AsI64 = 1 << 14,
  kI64AsF64 = 1 << 15,
  kCopySignF64 = 1 << 16,
};

struct MemInfo {
  std::string root; ///< C pointer to element 0 of the root buffer
  /// C expression of the offset (in elements) when the memref type's offset
  /// is dynamic (a tile at a loop-dependent position); empty otherwise.
  std::string offset;
};

class CEmitter {
public:
  CEmitter(ModuleOp module, const CEmitOptions &options)
      : module(module), options(options) {}

  LogicalResult emit(llvm::raw_ostream &out);

private:
  LogicalResult emitGlobal(memref::GlobalOp global);
  /// `__attribute__((section("..."))) ` for weights, or nothing.
  std::string sectionAttr() const {
    if (options.weightsSection.empty())
      return "";
    return "__attribute__((section(\"" + options.weightsSection + "\"))) ";
  }
  LogicalResult emitFunction(func::FuncOp func);
  LogicalResult emitBlock(Block &block, int indent);
  LogicalResult emitOp(Operation *op, int indent);
  FailureOr<std::string> cType(Type type, Location loc);
  FailureOr<std::string> literal(Attribute attr, Location loc);
  std::string floatLiteral(const APFloat &f, bool isF32);
  /// The element offset of a view whose type has a dynamic offset, as a C
  /// expression; empty if the offset is static.
  FailureOr<std::string> viewOffset(Operation *view, const MemInfo &source);
  FailureOr<std::string> address(Value memref, ValueRange indices,
                                 Location loc);
  std::string expr(Value v) { return names.lookup(v); }
  std::string fresh() { return "v" + std::to_string(counter++); }
  llvm::raw_ostream &line(int indent) {
    body.indent(indent * 2);
    return body;
  }
  LogicalResult define(Operation *op, int indent, const std::string &rhs) {
    auto type = cType(op->getResult(0).getType(), op->getLoc());
    if (failed(type))
      return failure();
    std::string name = fresh();
    line(indent) << *type << " " << name << " = " << rhs << ";\n";
    names[op->getResult(0)] = name;
    return success();
  }

  ModuleOp module;
  const CEmitOptions &options;
  std::string bodyStr, globalsStr;
  llvm::raw_string_ostream body{bodyStr};
  llvm::raw_string_ostream globals{globalsStr};
  llvm::DenseMap<Value, std::string> names;
  llvm::DenseMap<Value, MemInfo> mems;
  llvm::StringMap<std::string> globalNames;
  llvm::StringMap<bool> globalIsUnion;
  unsigned counter = 0;
  unsigned helpers = 0;
};

FailureOr<std::string> CEmitter::cType(Type type, Location loc) {
  if (type.isIndex())
    return std::string("ptrdiff_t");
  if (type.isF32())
    return std::string("float");
  if (type.isF64())
    return std::string("double");
  // Half floats are stored and moved as their bits; whittle-expand-math
  // leaves only loads, stores, bitcasts and constants of them.
  if (type.isF16() || type.isBF16())
    return std::string("uint16_t");
  if (type.isInteger(1))
    return std::string("int");
  if (auto it = llvm::dyn_cast<IntegerType>(type)) {
    unsigned w = it.getWidth();
    if (w == 8 || w == 16 || w == 32 || w == 64)
      return (it.isUnsigned() ? "uint" : "int") + std::to_string(w) + "_t";
    // TOSA's int16 x int8 accumulators, held sign-extended (the kernels
    // never exceed 48 bits: TOSA requires it of them).
    if (w == 48 && !it.isUnsigned())
      return std::string("int64_t");
  }
  return emitError(loc) << "C emitter: unsupported type " << type;
}

/// Storage type of a memref element (i1 is stored as a byte).
static std::string storageType(const std::string &scalar) {
  return scalar == "int" ? "uint8_t" : scalar;
}

std::string CEmitter::floatLiteral(const APFloat &f, bool isF32) {
  if (!f.isFinite()) {
    helpers |= kBitsF32;
    uint32_t bits = static_cast<uint32_t>(
        f.bitcastToAPInt().getZExtValue());
    if (!isF32) {
      // Non-finite doubles: go through float, which preserves inf and NaN.
      APFloat g = f;
      bool lost;
      g.convert(APFloat::IEEEsingle(), APFloat::rmNearestTiesToEven, &lost);
      bits = static_cast<uint32_t>(g.bitcastToAPInt().getZExtValue());
      return "((double)whittle_bits_f32(0x" + llvm::utohexstr(bits) + "u))";
    }
    return "whittle_bits_f32(0x" + llvm::utohexstr(bits) + "u)";
  }
  // Hexadecimal literals are exact and C99.
  SmallString<32> s;
  char buf[64];
  unsigned n = f.convertToHexString(buf, 0, /*UpperCase=*/false,
                                    APFloat::rmNearestTiesToEven);
  s.append(buf, buf + n);
  std::string out = s.str().str();
  return "(" + out + (isF32 ? "f" : "") + ")";
}

FailureOr<std::string> CEmitter::literal(Attribute attr, Location loc) {
  if (auto f = llvm::dyn_cast<FloatAttr>(attr)) {
    if (f.getType().isF16() || f.getType().isBF16())
      return "((uint16_t)0x" +
             llvm::utohexstr(f.getValue().bitcastToAPInt().getZExtValue()) +
             "u)";
    return floatLiteral(f.getValue(), f.getType().isF32());
  }
  if (auto i = llvm::dyn_cast<IntegerAttr>(attr)) {
    Type t = i.getType();
    if (t.isIndex())
      return "((ptrdiff_t)" + std::to_string(i.getInt()) + ")";
    if (t.isInteger(1))
      return std::string(i.getValue().isZero() ? "0" : "1");
    auto type = cType(t, loc);
    if (failed(type))
      return failure();
    unsigned w = t.getIntOrFloatBitWidth();
    // Through the unsigned type: no literal is ever out of range. i48 is
    // held sign-extended in int64_t.
    uint64_t u = w == 48 ? (uint64_t)i.getValue().getSExtValue()
                         : i.getValue().getZExtValue();
    std::string ut = w > 32 ? "uint64_t" : "uint32_t";
    std::string suffix = w > 32 ? "ull" : "u";
    return "((" + *type + ")(" + ut + ")" + std::to_string(u) + suffix + ")";
  }
  return emitError(loc) << "C emitter: unsupported constant " << attr;
}

FailureOr<std::string> CEmitter::viewOffset(Operation *view,
                                            const MemInfo &source) {
  auto type = llvm::cast<MemRefType>(view->getResult(0).getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)))
    return view->emitError("C emitter: memref layout is not strided: ")
           << type;
  if (!ShapedType::isDynamic(offset))
    return std::string();
  // Reshapes and casts keep the source's element offset.
  if (llvm::isa<memref::ExpandShapeOp, memref::CollapseShapeOp, memref::CastOp>(
          view))
    return source.offset;
  auto term = [&](OpFoldResult f) {
    if (auto v = llvm::dyn_cast<Value>(f))
      return expr(v);
    return std::to_string(*getConstantIntValue(f));
  };
  if (auto cast = llvm::dyn_cast<memref::ReinterpretCastOp>(view))
    return "(" + term(cast.getMixedOffsets()[0]) + ")";
  auto subview = llvm::cast<memref::SubViewOp>(view);
  MemRefType srcType = subview.getSourceType();
  SmallVector<int64_t> srcStrides;
  int64_t srcOffset;
  if (failed(srcType.getStridesAndOffset(srcStrides, srcOffset)) ||
      llvm::any_of(srcStrides, ShapedType::isDynamic))
    return view->emitError("C emitter: subview of non-static strides: ")
           << srcType;
  std::string result = ShapedType::isDynamic(srcOffset)
                           ? source.offset
                           : std::to_string(srcOffset);
  if (result.empty())
    return view->emitError("C emitter: unknown dynamic offset");
  for (auto [off, stride] :
       llvm::zip(subview.getMixedOffsets(), srcStrides))
    if (stride != 0)
      result += " + " + term(off) + " * " + std::to_string(stride);
  return "(" + result + ")";
}

FailureOr<std::string> CEmitter::address(Value memref, ValueRange indices,
                                         Location loc) {
  auto type = llvm::cast<MemRefType>(memref.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return emitError(loc) << "C emitter: memref strides are not static: "
                          << type;
  auto it = mems.find(memref);
  if (it == mems.end())
    return emitError(loc) << "C emitter: memref has no known root";
  std::string idx = ShapedType::isDynamic(offset) ? it->second.offset
                                                  : std::to_string(offset);
  if (idx.empty())
    return emitError(loc) << "C emitter: unknown dynamic offset of " << type;
  for (auto [i, s] : llvm::zip(indices, strides))
    if (s != 0)
      idx += " + " + expr(i) + " * " + std::to_string(s);
  return it->second.root + "[" + idx + "]";
}

LogicalResult CEmitter::emitGlobal(memref::GlobalOp global) {
  auto type = global.getType();
  if (!type.hasStaticShape())
    return global.emitError("C emitter: dynamically shaped global");
  auto scalar = cType(type.getElementType(), global.getLoc());
  if (failed(scalar))
    return failure();
  std::string name = options.name + "_" + global.getSymName().str();
  for (char &c : name)
    if (!llvm::isAlnum(c) && c != '_')
      c = '_';
  globalNames[global.getSymName()] = name;
  int64_t n = std::max<int64_t>(1, type.getNumElements());
  auto init = global.getInitialValue();
  if (!init || !global.getConstant())
    return global.emitError("C emitter: only constant initialized globals "
                            "are supported (state lives in the arena)");
  Type elt = type.getElementType();
  unsigned bytes = elt.isInteger(1) ? 1 : elt.getIntOrFloatBitWidth() / 8;
  // Raw little-endian element bytes, whatever the attribute kind.
  std::string raw;
  if (auto dense = llvm::dyn_cast<DenseElementsAttr>(*init)) {
    if (elt.isInteger(1)) {
      for (bool b : dense.getValues<bool>())
        raw.push_back(b ? 1 : 0);
    } else {
      ArrayRef<char> data = dense.getRawData();
      if (dense.isSplat()) {
        for (int64_t i = 0; i < n; ++i)
          raw.append(data.data(), bytes);
      } else {
        raw.assign(data.begin(), data.end());
      }
    }
  } else if (auto res = llvm::dyn_cast<DenseResourceElementsAttr>(*init)) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return global.emitError("C emitter: resource blob is missing");
    ArrayRef<char> data = blob->getData();
    raw.assign(data.begin(), data.end());
  } else {
    return global.emitError("C emitter: unsupported initializer");
  }
  if (static_cast<int64_t>(raw.size()) != n * bytes)
    return global.emitError("C emitter: initializer has the wrong size");

  bool isFloat = llvm::isa<FloatType>(elt);
  globalIsUnion[global.getSymName()] = isFloat;
  if (isFloat) {
    // Floats are stored as their exact bit patterns, read through a union:
    // exact, and NaN/inf need no special spelling.
    std::string bitsType = bytes == 4 ? "uint32_t" : "uint64_t";
    globals << sectionAttr() << "static const union {\n  " << bitsType << " bits[" << n
            << "];\n  " << *scalar << " values[" << n << "];\n} " << name
            << " = {{";
    for (int64_t i = 0; i < n; ++i) {
      uint64_t v = 0;
      std::memcpy(&v, raw.data() + i * bytes, bytes);
      globals << (i % 8 == 0 ? "\n    " : " ") << "0x"
              << llvm::format_hex_no_prefix(v, bytes * 2)
              << (bytes == 4 ? "u" : "ull") << (i + 1 < n ? "," : "");
    }
    globals << "\n}};\n\n";
    return success();
  }
  std::string st = storageType(*scalar);
  globals << sectionAttr() << "static const " << st << " " << name << "["
          << n << "] = {";
  bool isSigned = !llvm::cast<IntegerType>(elt).isUnsigned();
  for (int64_t i = 0; i < n; ++i) {
    uint64_t v = 0;
    std::memcpy(&v, raw.data() + i * bytes, bytes);
    globals << (i % 8 == 0 ? "\n  " : " ");
    if (bytes == 1 || !isSigned) {
      globals << "(" << st << ")" << v << "u";
    } else {
      // Sign-extend and spell negative values without overflowing literals.
      int64_t s = static_cast<int64_t>(v << (64 - 8 * bytes)) >> (64 - 8 * bytes);
      if (s < 0)
        globals << "(" << st << ")(-" << (uint64_t)(-(s + 1)) << "ll - 1)";
      else
        globals << "(" << st << ")" << s;
    }
    if (i + 1 < n)
      globals << ",";
  }
  globals << "\n};\n\n";
  return success();
}

LogicalResult CEmitter::emitBlock(Block &block, int indent) {
  for (Operation &op : block)
    if (failed(emitOp(&op, indent)))
      return failure();
  return success();
}

static std::string cmpfExpr(arith::CmpFPredicate p, const std::string &a,
                            const std::string &b) {
  using P = arith::CmpFPredicate;
  switch (p) {
  case P::AlwaysFalse:
    return "0";
  case P::AlwaysTrue:
    return "1";
  case P::OEQ:
    return "(" + a + " == " + b + ")";
  case P::OGT:
    return "(" + a + " > " + b + ")";
  case P::OGE:
    return "(" + a + " >= " + b + ")";
  case P::OLT:
    return "(" + a + " < " + b + ")";
  case P::OLE:
    return "(" + a + " <= " + b + ")";
  case P::ONE:
    return "((" + a + " < " + b + ") || (" + a + " > " + b + "))";
  case P::ORD:
    return "((" + a + " == " + a + ") && (" + b + " == " + b + "))";
  case P::UEQ:
    return "(!((" + a + " < " + b + ") || (" + a + " > " + b + ")))";
  case P::UGT:
    return "(!(" + a + " <= " + b + "))";
  case P::UGE:
    return "(!(" + a + " < " + b + "))";
  case P::ULT:
    return "(!(" + a + " >= " + b + "))";
  case P::ULE:
    return "(!(" + a + " > " + b + "))";
  case P::UNE:
    return "(" + a + " != " + b + ")";
  case P::UNO:
    return "((" + a + " != " + a + ") || (" + b + " != " + b + "))";
  }
  return "0";
}

/// Unsigned C type of the same width, for wrapping arithmetic.
static std::string unsignedOf(const std::string &t) {
  if (t == "ptrdiff_t")
    return "size_t";
  if (t == "int")
    return "unsigned";
  if (llvm::StringRef(t).starts_with("int"))
    return "u" + t;
  return t;
}

/// Ops that only move half floats as bits (what the C path supports).
static bool movesHalfBits(Operation *op) {
  auto isHalf = [](Type t) {
    Type e = getElementTypeOrSelf(t);
    return e.isF16() || e.isBF16();
  };
  if (llvm::none_of(op->getOperandTypes(), isHalf) &&
      llvm::none_of(op->getResultTypes(), isHalf))
    return true;
  return llvm::isa<memref::LoadOp, memref::StoreOp, arith::BitcastOp,
                   arith::ConstantOp, arith::SelectOp>(op) ||
         op->getName().getDialectNamespace() == "memref";
}

LogicalResult CEmitter::emitOp(Operation *op, int indent) {
  Location loc = op->getLoc();
  if (!movesHalfBits(op))
    return op->emitError("C emitter: arithmetic on f16/bf16 is not supported "
                         "(only conversions)");
  auto bin = [&](const char *c) {
    return define(op, indent,
                  "(" + expr(op->getOperand(0)) + " " + c + " " +
                      expr(op->getOperand(1)) + ")");
  };
  // Integer ops that wrap in MLIR are computed in the unsigned type.
  auto wrapBin = [&](const char *c) -> LogicalResult {
    auto t = cType(op->getResult(0).getType(), loc);
    if (failed(t))
      return failure();
    std::string u = unsignedOf(*t);
    if (*t == "ptrdiff_t")
      return bin(c);
    return define(op, indent,
                  "(" + *t + ")((" + u + ")" + expr(op->getOperand(0)) + " " +
                      c + " (" + u + ")" + expr(op->getOperand(1)) + ")");
  };
  // Unsigned interpretation of signless operands.
  auto unsignedBin = [&](const char *c) -> LogicalResult {
    auto t = cType(op->getResult(0).getType(), loc);
    if (failed(t))
      return failure();
    std::string u = unsignedOf(*t);
    return define(op, indent,
                  "(" + *t + ")((" + u + ")" + expr(op->getOperand(0)) + " " +
                      c + " (" + u + ")" + expr(op->getOperand(1)) + ")");
  };
  auto cast = [&]() -> LogicalResult {
    auto t = cType(op->getResult(0).getType(), loc);
    if (failed(t))
      return failure();
    if (llvm::isa<arith::TruncIOp>(op) &&
        op->getResult(0).getType().isInteger(48))
      // Wrap to 48 bits and sign-extend, as i48 values are held.
      return define(op, indent,
                    "(int64_t)((uint64_t)" + expr(op->getOperand(0)) +
                        " << 16) >> 16");
    return define(op, indent, "(" + *t + ")" + expr(op->getOperand(0)));
  };
  auto call = [&](const char *fn, unsigned helper) {
    helpers |= helper;
    std::string args;
    for (auto [i, v] : llvm::enumerate(op->getOperands()))
      args += (i ? ", " : "") + expr(v);
    return define(op, indent, std::string(fn) + "(" + args + ")");
  };
  auto requireF32 = [&]() -> LogicalResult {
    if (!op->getResult(0).getType().isF32())
      return op->emitError("C emitter: only f32 is supported for '")
             << op->getName() << "'";
    return success();
  };
  // Float min/max: NaN-aware helpers, f32 `name`, f64 `name` + "64".
  auto minMax = [&](Type type, const char *name, unsigned helper32,
                    unsigned helper64) -> LogicalResult {
    if (type.isF64())
      return call((std::string(name) + "64").c_str(), helper64);
    if (failed(requireF32()))
      return failure();
    return call(name, helper32);
  };

  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case([&](arith::ConstantOp c) -> LogicalResult {
        if (llvm::isa<ShapedType>(c.getType())) {
          if (!c->use_empty())
            return c.emitError("C emitter: tensor constants are not "
                               "supported at this level");
          return success();
        }
        auto lit = literal(c.getValue(), loc);
        if (failed(lit))
          return failure();
        names[c.getResult()] = *lit;
        return success();
      })
      .Case([&](arith::AddFOp) { return bin("+"); })
      .Case([&](arith::SubFOp) { return bin("-"); })
      .Case([&](arith::MulFOp) { return bin("*"); })
      .Case([&](arith::DivFOp) { return bin("/"); })
      .Case([&](arith::NegFOp o) {
        return define(op, indent, "(-" + expr(o.getOperand()) + ")");
      })
      .Case([&](arith::MaximumFOp o) {
        return minMax(o.getType(), "whittle_maximumf", kMaximumF32, kMaximumF64);
      })
      .Case([&](arith::MinimumFOp o) {
        return minMax(o.getType(), "whittle_minimumf", kMinimumF32, kMinimumF64);
      })
      .Case([&](arith::MaxNumFOp o) {
        return minMax(o.getType(), "whittle_maxnumf", kMaxNumF32, kMaxNumF64);
      })
      .Case([&](arith::MinNumFOp o) {
        return minMax(o.getType(), "whittle_minnumf", kMinNumF32, kMinNumF64);
      })
      .Case([&](arith::CmpFOp o) {
        return define(op, indent,
                      cmpfExpr(o.getPredicate(), expr(o.getLhs()),
                               expr(o.getRhs())));
      })
      .Case([&](arith::CmpIOp o) -> LogicalResult {
        using P = arith::CmpIPredicate;
        auto t = cType(o.getLhs().getType(), loc);
        if (failed(t))
          return failure();
        bool isUnsigned = o.getPredicate() == P::ult ||
                          o.getPredicate() == P::ule ||
                          o.getPredicate() == P::ugt ||
                          o.getPredicate() == P::uge;
        std::string a = expr(o.getLhs()), b = expr(o.getRhs());
        if (isUnsigned) {
          std::string u = unsignedOf(*t);
          a = "(" + u + ")" + a;
          b = "(" + u + ")" + b;
        }
        const char *c = "==";
        switch (o.getPredicate()) {
        case P::eq:
          c = "==";
          break;
        case P::ne:
          c = "!=";
          break;
        case P::slt:
        case P::ult:
          c = "<";
          break;
        case P::sle:
        case P::ule:
          c = "<=";
          break;
        case P::sgt:
        case P::ugt:
          c = ">";
          break;
        case P::sge:
        case P::uge:
          c = ">=";
          break;
        }
        return define(op, indent, "(" + a + " " + c + " " + b + ")");
      })
      .Case([&](arith::SelectOp o) -> LogicalResult {
        if (llvm::isa<MemRefType>(o.getType()))
          return o.emitError("C emitter: select of memrefs");
        return define(op, indent,
                      "(" + expr(o.getCondition()) + " ? " +
                          expr(o.getTrueValue()) + " : " +
                          expr(o.getFalseValue()) + ")");
      })
      .Case([&](arith::AddIOp) { return wrapBin("+"); })
      .Case([&](arith::SubIOp) { return wrapBin("-"); })
      .Case([&](arith::MulIOp) { return wrapBin("*"); })
      .Case([&](arith::DivSIOp) { return bin("/"); })
      .Case([&](arith::RemSIOp) { return bin("%"); })
      .Case([&](arith::ShLIOp) { return wrapBin("<<"); })
      .Case([&](arith::ShRSIOp) { return bin(">>"); })
      .Case([&](arith::ShRUIOp) { return unsignedBin(">>"); })
      .Case([&](arith::DivUIOp) { return unsignedBin("/"); })
      .Case([&](arith::RemUIOp) { return unsignedBin("%"); })
      .Case([&](arith::AndIOp) { return bin("&"); })
      .Case([&](arith::OrIOp) { return bin("|"); })
      .Case([&](arith::XOrIOp) { return bin("^"); })
      .Case([&](arith::MaxSIOp o) {
        std::string a = expr(o.getLhs()), b = expr(o.getRhs());
        return define(op, indent, "(" + a + " > " + b + " ? " + a + " : " + b + ")");
      })
      .Case([&](arith::MinSIOp o) {
        std::string a = expr(o.getLhs()), b = expr(o.getRhs());
        return define(op, indent, "(" + a + " < " + b + " ? " + a + " : " + b + ")");
      })
      .Case<arith::MaxUIOp, arith::MinUIOp>([&](Operation *o) -> LogicalResult {
        // Compared as unsigned, the signless value kept.
        auto t = cType(o->getResult(0).getType(), loc);
        if (failed(t))
          return failure();
        std::string u = "(" + unsignedOf(*t) + ")";
        std::string a = expr(o->getOperand(0)), b = expr(o->getOperand(1));
        const char *rel = isa<arith::MaxUIOp>(o) ? " > " : " < ";
        return define(op, indent,
                      "(" + u + a + rel + u + b + " ? " + a + " : " + b + ")");
      })
      .Case<arith::IndexCastOp, arith::IndexCastUIOp, arith::SIToFPOp,
            arith::FPToSIOp, arith::ExtFOp, arith::TruncFOp, arith::ExtSIOp,
            arith::TruncIOp>([&](Operation *) { return cast(); })
      .Case([&](arith::ExtUIOp o) -> LogicalResult {
        auto t = cType(o.getType(), loc);
        auto s = cType(o.getIn().getType(), loc);
        if (failed(t) || failed(s))
          return failure();
        return define(op, indent,
                      "(" + *t + ")(" + unsignedOf(*s) + ")" + expr(o.getIn()));
      })
      .Case([&](arith::BitcastOp o) -> LogicalResult {
        Type from = o.getIn().getType(), to = o.getType();
        if (from.isF32() && to.isInteger(32))
          return call("whittle_f32_as_i32", kF32AsI32);
        if (from.isInteger(32) && to.isF32())
          return call("whittle_i32_as_f32", kI32AsF32);
        if (from.isF64() && to.isInteger(64))
          return call("whittle_f64_as_i64", kF64AsI64);
        if (from.isInteger(64) && to.isF64())
          return call("whittle_i64_as_f64", kI64AsF64);
        // Half floats are held as uint16_t bits already.
        if ((from.isF16() || from.isBF16()) && to.isInteger(16))
          return define(op, indent, "((int16_t)" + expr(o.getIn()) + ")");
        if (from.isInteger(16) && (to.isF16() || to.isBF16()))
          return define(op, indent, "((uint16_t)" + expr(o.getIn()) + ")");
        return o.emitError("C emitter: unsupported bitcast");
      })
      .Case([&](math::SqrtOp) -> LogicalResult {
        if (failed(requireF32()))
          return failure();
        return call("whittle_sqrtf", kSqrtF32);
      })
      .Case([&](math::CopySignOp o) -> LogicalResult {
        if (o.getType().isF64())
          return call("whittle_copysign", kCopySignF64);
        if (failed(requireF32()))
          return failure();
        return call("whittle_copysignf", kCopySignF32);
      })
      .Case([&](arith::UIToFPOp o) -> LogicalResult {
        auto t = cType(o.getType(), loc);
        auto s = cType(o.getIn().getType(), loc);
        if (failed(t) || failed(s))
          return failure();
        return define(op, indent,
                      "(" + *t + ")(" + unsignedOf(*s) + ")" + expr(o.getIn()));
      })
      .Case([&](arith::FPToUIOp o) -> LogicalResult {
        auto t = cType(o.getType(), loc);
        if (failed(t))
          return failure();
        return define(op, indent,
                      "(" + *t + ")(" + unsignedOf(*t) + ")" + expr(o.getIn()));
      })
      .Case([&](math::AbsFOp) -> LogicalResult {
        if (failed(requireF32()))
          return failure();
        return call("whittle_fabsf", kAbsF32);
      })
      .Case([&](memref::LoadOp o) -> LogicalResult {
        auto addr = address(o.getMemRef(), o.getIndices(), loc);
        if (failed(addr))
          return failure();
        if (o.getType().isInteger(1))
          return define(op, indent, "(int)" + *addr);
        return define(op, indent, *addr);
      })
      .Case([&](memref::StoreOp o) -> LogicalResult {
        auto addr = address(o.getMemRef(), o.getIndices(), loc);
        if (failed(addr))
          return failure();
        std::string v = expr(o.getValueToStore());
        if (o.getValueToStore().getType().isInteger(1))
          v = "(uint8_t)" + v;
        line(indent) << *addr << " = " << v << ";\n";
        return success();
      })
      .Case([&](memref::ViewOp o) -> LogicalResult {
        auto elt = cType(o.getType().getElementType(), loc);
        if (failed(elt))
          return failure();
        auto src = mems.find(o.getSource());
        if (src == mems.end())
          return o.emitError("C emitter: view of an unknown buffer");
        std::string name = fresh();
        std::string st = storageType(*elt);
        std::string base = src->second.root;
        line(indent) << st << " *" << name << " = (" << st << " *)(void *)("
                     << base << " + " << expr(o.getByteShift())
                     << ");\n";
        mems[o.getResult()] = {name, ""};
        return success();
      })
      .Case<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
            memref::CastOp, memref::ReinterpretCastOp>(
          [&](Operation *) -> LogicalResult {
            auto src = mems.find(op->getOperand(0));
            if (src == mems.end())
              return op->emitError("C emitter: view of an unknown buffer");
            // Copy before inserting: insertion may rehash the map.
            MemInfo info = src->second;
            auto offset = viewOffset(op, info);
            if (failed(offset))
              return failure();
            info.offset = *offset;
            mems[op->getResult(0)] = info;
            return success();
          })
      .Case([&](memref::GetGlobalOp o) -> LogicalResult {
        auto it = globalNames.find(o.getName());
        if (it == globalNames.end())
          return o.emitError("C emitter: unknown global");
        std::string root = it->second;
        if (globalIsUnion.lookup(o.getName()))
          root += ".values";
        mems[o.getResult()] = {root, ""};
        return success();
      })
      .Case([&](scf::ForOp o) -> LogicalResult {
        SmallVector<std::string> results;
        for (auto [init, res, arg] :
             llvm::zip(o.getInitArgs(), o.getResults(),
                       o.getRegionIterArgs())) {
          auto t = cType(res.getType(), loc);
          if (failed(t))
            return failure();
          std::string name = fresh();
          line(indent) << *t << " " << name << " = " << expr(init) << ";\n";
          names[res] = name;
          names[arg] = name;
        }
        std::string iv = fresh();
        names[o.getInductionVar()] = iv;
        line(indent) << "for (ptrdiff_t " << iv << " = "
                     << expr(o.getLowerBound()) << "; " << iv << " < "
                     << expr(o.getUpperBound()) << "; " << iv
                     << " += " << expr(o.getStep()) << ") {\n";
        if (failed(emitBlock(*o.getBody(), indent + 1)))
          return failure();
        line(indent) << "}\n";
        return success();
      })
      .Case([&](scf::IfOp o) -> LogicalResult {
        for (Value res : o.getResults()) {
          auto t = cType(res.getType(), loc);
          if (failed(t))
            return failure();
          std::string name = fresh();
          line(indent) << *t << " " << name << ";\n";
          names[res] = name;
        }
        line(indent) << "if (" << expr(o.getCondition()) << ") {\n";
        if (failed(emitBlock(o.getThenRegion().front(), indent + 1)))
          return failure();
        if (!o.getElseRegion().empty()) {
          line(indent) << "} else {\n";
          if (failed(emitBlock(o.getElseRegion().front(), indent + 1)))
            return failure();
        }
        line(indent) << "}\n";
        return success();
      })
      .Case([&](scf::YieldOp o) -> LogicalResult {
        Operation *parent = o->getParentOp();
        if (o.getNumOperands() == 0)
          return success();
        // Parallel assignment through temporaries: yielded values may read
        // the variables being assigned.
        SmallVector<std::string> temps;
        line(indent) << "{\n";
        for (Value v : o.getOperands()) {
          auto t = cType(v.getType(), loc);
          if (failed(t))
            return failure();
          std::string tmp = fresh();
          line(indent + 1) << *t << " " << tmp << " = " << expr(v) << ";\n";
          temps.push_back(tmp);
        }
        for (auto [tmp, res] : llvm::zip(temps, parent->getResults()))
          line(indent + 1) << expr(res) << " = " << tmp << ";\n";
        line(indent) << "}\n";
        return success();
      })
      .Case([&](func::ReturnOp o) -> LogicalResult {
        // Outputs leave through out-parameters; the one scalar result is
        // the status of run-time checks.
        if (o.getNumOperands() > 1 ||
            (o.getNumOperands() == 1 && !o.getOperand(0).getType().isInteger(32)))
          return o.emitError("C emitter: the model function must return "
                             "through out-parameters");
        if (o.getNumOperands() == 1)
          line(indent) << "return " << expr(o.getOperand(0)) << ";\n";
        return success();
      })
      .Default([&](Operation *other) {
        return other->emitError("C emitter: unsupported operation '")
               << other->getName() << "'";
      });
}

LogicalResult CEmitter::emitFunction(func::FuncOp func) {
  auto numInputsAttr =
      func->getAttrOfType<IntegerAttr>(whittle::kNumInputsAttr);
  if (!numInputsAttr || !func->hasAttr("whittle.arena_size"))
    return func.emitError("C emitter: the model function needs "
                          "whittle.num_inputs and a planned arena");
  int64_t numInputs = numInputsAttr.getInt();
  unsigned numArgs = func.getNumArguments();
  bool returnsStatus = func.getNumResults() == 1 &&
                       func.getResultTypes()[0].isInteger(32);
  if (numArgs < numInputs + 1 || (func.getNumResults() != 0 && !returnsStatus))
    return func.emitError("C emitter: expected inputs, outputs and the arena "
                          "as arguments and no result but a status");
  int64_t numOutputs = numArgs - numInputs - 1;
  std::string params, callArgs;
  for (unsigned i = 0; i < numArgs; ++i) {
    Value arg = func.getArgument(i);
    auto type = llvm::dyn_cast<MemRefType>(arg.getType());
    if (!type)
      return func.emitError("C emitter: non-memref argument");
    auto elt = cType(type.getElementType(), func.getLoc());
    if (failed(elt))
      return failure();
    std::string st = storageType(*elt);
    std::string name = "a" + std::to_string(i);
    bool isInput = i < numInputs, isArena = i + 1 == numArgs;
    std::string ptr = isArena ? "uint8_t *" : (isInput ? "const " : "") + st + " *";
    params += (i ? ", " : "") + ptr + name;
    if (isArena)
      callArgs += (i ? ", " : "") + std::string("(uint8_t *)arena");
    else if (isInput)
      callArgs += (i ? ", " : "") + std::string("(const ") + st +
                  " *)inputs[" + std::to_string(i) + "]";
    else
      callArgs += (i ? ", " : "") + std::string("(") + st + " *)outputs[" +
                  std::to_string(i - numInputs) + "]";
    mems[arg] = {name, ""};
  }
  body << "static " << (returnsStatus ? "int32_t " : "void ") << options.name
       << "_main(" << params << ") {\n";
  // Parameters a kernel never touches must not warn.
  for (unsigned i = 0; i < numArgs; ++i)
    if (func.getArgument(i).use_empty())
      body << "  (void)a" << i << ";\n";
  if (failed(emitBlock(func.getBody().front(), 1)))
    return failure();
  body << "}\n\n";
  body << "int " << options.name
       << "_run(const void *const inputs[], void *const outputs[], "
          "void *arena) {\n";
  if (numInputs == 0)
    body << "  (void)inputs;\n";
  if (numOutputs == 0)
    body << "  (void)outputs;\n";
  if (returnsStatus)
    body << "  return (int)" << options.name << "_main(" << callArgs << ");\n}\n";
  else
    body << "  " << options.name << "_main(" << callArgs << ");\n"
         << "  return 0;\n}\n";
  return success();
}

LogicalResult CEmitter::emit(llvm::raw_ostream &out) {
  func::FuncOp model;
  for (Operation &op : module.getBody()->getOperations()) {
    if (auto g = llvm::dyn_cast<memref::GlobalOp>(op)) {
      if (failed(emitGlobal(g)))
        return failure();
    } else if (auto f = llvm::dyn_cast<func::FuncOp>(op)) {
      if (f.isExternal())
        return f.emitError("C emitter: external functions cannot be called "
                           "from dependency-free code");
      if (model)
        return f.emitError("C emitter: expected one model function");
      model = f;
    } else {
      return op.emitError("C emitter: unsupported top-level operation");
    }
  }
  if (!model)
    return module.emitError("C emitter: no model function");
  if (failed(emitFunction(model)))
    return failure();

  out << "/* Generated by whittle. Do not edit. Freestanding C99: no libc, "
         "no libm. */\n";
  out << "#include <stddef.h>\n#include <stdint.h>\n\n#include \""
      << options.headerName << "\"\n\n";
  if (helpers & (kBitsF32 | kSqrtF32))
    out << "static float whittle_bits_f32(uint32_t u) {\n"
           "  union { uint32_t u; float f; } v;\n  v.u = u;\n  return v.f;\n"
           "}\n\n";
  if (helpers & kF32AsI32)
    out << "static int32_t whittle_f32_as_i32(float f) {\n"
           "  union { float f; int32_t i; } v;\n  v.f = f;\n  return v.i;\n"
           "}\n\n";
  if (helpers & kI32AsF32)
    out << "static float whittle_i32_as_f32(int32_t i) {\n"
           "  union { int32_t i; float f; } v;\n  v.i = i;\n  return v.f;\n"
           "}\n\n";
  if (helpers & kF64AsI64)
    out << "static int64_t whittle_f64_as_i64(double f) {\n"
           "  union { double f; int64_t i; } v;\n  v.f = f;\n  return v.i;\n"
           "}\n\n";
  if (helpers & kI64AsF64)
    out << "static double whittle_i64_as_f64(int64_t i) {\n"
           "  union { int64_t i; double f; } v;\n  v.i = i;\n  return v.f;\n"
           "}\n\n";
  if (helpers & kAbsF32)
    out << "static float whittle_fabsf(float x) {\n"
           "  union { float f; uint32_t u; } v;\n  v.f = x;\n"
           "  v.u &= 0x7fffffffu;\n  return v.f;\n}\n\n";
  if (helpers & kSqrtF32)
    // Correctly rounded with 32-bit integer arithmetic only (digit by digit,
    // two radicand bits a step): no double, so single-precision FPUs and
    // soft-float targets need no double helpers. Matches IEEE sqrt on every
    // input (checked exhaustively against glibc).
    out << "static float whittle_sqrtf(float x) {\n"
           "  union { float f; uint32_t u; } v;\n"
           "  uint32_t m, root, rem, trial, q, dropped, half;\n"
           "  int32_t e, k, i, d;\n"
           "  v.f = x;\n"
           "  if (x != x || x == 0.0f || v.u == 0x7f800000u) return x;\n"
           "  if (v.u & 0x80000000u) return whittle_bits_f32(0x7fc00000u);\n"
           "  e = (int32_t)(v.u >> 23);\n"
           "  m = v.u & 0x007fffffu;\n"
           "  if (e == 0)\n"
           "    for (e = 1; !(m & 0x00800000u); --e) m <<= 1;\n"
           "  else\n"
           "    m |= 0x00800000u;\n"
           "  /* x = m * 2^(2k) */\n"
           "  e -= 150;\n"
           "  if (e & 1) { m <<= 1; --e; }\n"
           "  k = e / 2;\n"
           "  /* root = floor(sqrt(m * 2^26)) */\n"
           "  root = rem = 0;\n"
           "  for (i = 24; i >= -26; i -= 2) {\n"
           "    rem = (rem << 2) | (i >= 0 ? (m >> i) & 3u : 0u);\n"
           "    trial = (root << 2) | 1u;\n"
           "    root <<= 1;\n"
           "    if (rem >= trial) { rem -= trial; root |= 1u; }\n"
           "  }\n"
           "  /* 25 or 26 bits: keep 24, round to nearest even */\n"
           "  d = root >= (1u << 25) ? 2 : 1;\n"
           "  q = root >> d;\n"
           "  dropped = root & ((1u << d) - 1u);\n"
           "  half = 1u << (d - 1);\n"
           "  if (dropped > half || (dropped == half && (rem != 0 || (q & 1u))))\n"
           "    ++q;\n"
           "  if (q == (1u << 24)) { q >>= 1; ++d; }\n"
           "  v.u = ((uint32_t)(k + d + 137) << 23) | (q & 0x007fffffu);\n"
           "  return v.f;\n}\n\n";
  if (helpers & kCopySignF32)
    out << "static float whittle_copysignf(float x, float y) {\n"
           "  union { float f; uint32_t u; } a, b;\n  a.f = x;\n  b.f = y;\n"
           "  a.u = (a.u & 0x7fffffffu) | (b.u & 0x80000000u);\n"
           "  return a.f;\n}\n\n";
  if (helpers & kCopySignF64)
    out << "static double whittle_copysign(double x, double y) {\n"
           "  union { double f; uint64_t u; } a, b;\n  a.f = x;\n  b.f = y;\n"
           "  a.u = (a.u & 0x7fffffffffffffffull) | (b.u & 0x8000000000000000ull);\n"
           "  return a.f;\n}\n\n";
  if (helpers & kMaximumF64)
    out << "static double whittle_maximumf64(double a, double b) {\n"
           "  if (a != a) return a;\n  if (b != b) return b;\n"
           "  if (a == b) return (a == 0.0 && b == 0.0) ? a + b : a;\n"
           "  return a > b ? a : b;\n}\n\n";
  if (helpers & kMinimumF64)
    out << "static double whittle_minimumf64(double a, double b) {\n"
           "  if (a != a) return a;\n  if (b != b) return b;\n"
           "  if (a == b) return (a == 0.0 && b == 0.0) ? -(-a - b) : a;\n"
           "  return a < b ? a : b;\n}\n\n";
  if (helpers & kMaxNumF64)
    out << "static double whittle_maxnumf64(double a, double b) {\n"
           "  if (a != a) return b;\n  if (b != b) return a;\n"
           "  return a > b ? a : b;\n}\n\n";
  if (helpers & kMinNumF64)
    out << "static double whittle_minnumf64(double a, double b) {\n"
           "  if (a != a) return b;\n  if (b != b) return a;\n"
           "  return a < b ? a : b;\n}\n\n";
  if (helpers & kMaximumF32)
    out << "static float whittle_maximumf(float a, float b) {\n"
           "  if (a != a) return a;\n  if (b != b) return b;\n"
           "  if (a == b) return (a == 0.0f && b == 0.0f) ? a + b : a;\n"
           "  return a > b ? a : b;\n}\n\n";
  if (helpers & kMinimumF32)
    out << "static float whittle_minimumf(float a, float b) {\n"
           "  if (a != a) return a;\n  if (b != b) return b;\n"
           "  if (a == b) return (a == 0.0f && b == 0.0f) ? -(-a - b) : a;\n"
           "  return a < b ? a : b;\n}\n\n";
  if (helpers & kMaxNumF32)
    out << "static float whittle_maxnumf(float a, float b) {\n"
           "  if (a != a) return b;\n  if (b != b) return a;\n"
           "  return a > b ? a : b;\n}\n\n";
  if (helpers & kMinNumF32)
    out << "static float whittle_minnumf(float a, float b) {\n"
           "  if (a != a) return b;\n  if (b != b) return a;\n"
           "  return a < b ? a : b;\n}\n\n";
  out << globalsStr << bodyStr;
  return success();
}

} // namespace

LogicalResult translateToC(ModuleOp module, const CEmitOptions &options,
                           llvm::raw_ostream &os) {
  CEmitter emitter(module, options);
  return emitter.emit(os);
}

} // namespace whittle
