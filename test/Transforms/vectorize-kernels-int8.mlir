// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 registers=16 dot=x86-vnni},canonicalize,cse)" | FileCheck %s --check-prefix=VNNI
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 registers=16 dot=aarch64-sdot},canonicalize,cse)" | FileCheck %s --check-prefix=SDOT
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 registers=16},canonicalize,cse)" | FileCheck %s --check-prefix=WIDEN
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=0 dsp=true},canonicalize,cse)" | FileCheck %s --check-prefix=DSP
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=512 registers=32 dot=x86-vnni},canonicalize,cse)" | FileCheck %s --check-prefix=WIDE
// RUN: whittle-opt %s --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 registers=16 dot=x86-madd},canonicalize,cse)" | FileCheck %s --check-prefix=MADD

// An int8 1x1 convolution, 6 input channels (a group of 4 and a partial
// group of 2), 2 output channels (run as 4 lanes, on zero weights), input
// zero point 3.
//
// vpdpbusd: the filter packed [groups][4 lanes][4 channels], zero-padded;
// the input word flipped to u8 (xor 0x80808080); the accumulator starts at
// -(3 + 128) x the filter's sum per output channel: -131 x 21 = -2751
// (0xFFFFF541) and -131 x -6 = 786 (0x312). (The fill of zeros is fused:
// the table is the initial value.)
// VNNI-DAG: memref.global "private" constant @w_packed4x4_4 : memref<32xi8>
// VNNI-DAG: memref.global "private" constant @w_zp131 : memref<2xi32>
// VNNI-NOT: memref.global "private" constant @w :
// VNNI-NOT: memref.global "private" constant @bias :
// VNNI-LABEL: func.func @conv_q
// VNNI-DAG: %[[FLIP:.*]] = arith.constant dense<-2139062144> : vector<4xi32>
// VNNI-DAG: %[[ZP:.*]] = memref.get_global @w_zp131
// VNNI: %[[T:.*]] = vector.load %[[ZP]][%c0] : memref<2xi32>, vector<2xi32>
// VNNI: %[[A:.*]] = vector.insert_strided_slice %[[T]], %{{.*}} : vector<2xi32> into vector<4xi32>
// VNNI: %[[W:.*]] = vector.load %{{.*}}[%c0] : memref<32xi8>, vector<16xi8>
// VNNI: %[[X:.*]] = vector.load %arg0[%c0, %c0, %c0, %c0] : memref<1x1x3x6xi8>, vector<4xi8>
// VNNI: %[[XW:.*]] = vector.bitcast %[[X]] : vector<4xi8> to vector<1xi32>
// VNNI: %[[XS:.*]] = vector.extract %[[XW]][0]
// VNNI: %[[XB:.*]] = vector.broadcast %[[XS]] : i32 to vector<4xi32>
// VNNI: %[[XU:.*]] = arith.xori %[[XB]], %[[FLIP]] : vector<4xi32>
// VNNI: %[[XV:.*]] = vector.bitcast %[[XU]] : vector<4xi32> to vector<16xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"(%[[A]], %[[XV]], %[[W]])
// VNNI-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// The partial group: 2 bytes into a zero word.
// VNNI: vector.load %arg0[%c0, %c0, %c0, %c4] : memref<1x1x3x6xi8>, vector<2xi8>
// VNNI: vector.insert_strided_slice {{.*}} : vector<2xi8> into vector<4xi8>
// VNNI-COUNT-3: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// VNNI-COUNT-3: vector.extract_strided_slice {{.*}} {offsets = [0], sizes = [2], strides = [1]} : vector<4xi32> to vector<2xi32>
// VNNI-COUNT-3: vector.store {{.*}} : memref<1x1x3x2xi32>, vector<2xi32>
// VNNI-NOT: linalg.conv
//
// sdot multiplies signed bytes: no flip, and the accumulator starts at
// -3 x the filter's sum: -63 (0xFFFFFFC1) and 18 (0x12).
// SDOT-LABEL: func.func @conv_q
// SDOT-NOT: arith.xori
// SDOT: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
//
// Without a dot product: one channel per step, widened to i32.
// WIDEN-LABEL: func.func @conv_q
// WIDEN: memref.get_global @w_packed4x1_4 : memref<12xi8>
// WIDEN: scf.for %[[C:.*]] = %c0 to %c6 step %c1 iter_args
// WIDEN: %[[W:.*]] = vector.load {{.*}} : memref<12xi8>, vector<2xi8>
// WIDEN: %[[WI:.*]] = arith.extsi %[[W]] : vector<2xi8> to vector<2xi32>
// WIDEN: %[[X:.*]] = memref.load %arg0[%c0, %c0, %c0, %[[C]]]
// WIDEN: %[[XI:.*]] = arith.extsi %[[X]] : i8 to i32
// WIDEN: %[[XB:.*]] = vector.broadcast %[[XI]] : i32 to vector<2xi32>
// WIDEN: %[[P:.*]] = arith.muli %[[XB]], %[[WI]] : vector<2xi32>
// WIDEN: arith.addi %{{.*}}, %[[P]] : vector<2xi32>
//
// On x86 without VNNI, since the input's rows are contiguous, the kernel widens
// them once to i16 in a scratch buffer (18 values and 2 zeros); each step
// broadcasts one pair of channels from it against a filter packed in
// pairs (sign-extended as it is loaded) (the partial pair of channels 4-5 is whole here), for one
// vpmaddwd. Signed bytes: the accumulator starts at -3 x the filter's sum.
// MADD-LABEL: func.func @conv_q
// MADD-DAG: %[[F:.*]] = memref.get_global @w_packed4x2_4 : memref<24xi8>
// MADD-DAG: memref.get_global @w_zp3 : memref<2xi32>
// MADD: %[[T:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1x1x20xi16>
// MADD: %[[R:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x1x3x6xi8> into memref<1x1x18xi8>
// MADD: %[[B:.*]] = vector.load %[[R]]{{.*}} : memref<1x1x18xi8>, vector<8xi8>
// MADD: %[[H:.*]] = arith.extsi %[[B]] : vector<8xi8> to vector<8xi16>
// MADD: vector.store %[[H]], %[[T]]
// MADD: vector.store %{{.*}}, %[[T]][%c0, %c0, %c18] : memref<1x1x20xi16>, vector<2xi16>
// MADD: scf.for
// MADD: %[[WB:.*]] = vector.load %[[F]][%{{.*}}] : memref<24xi8>, vector<8xi8>
// MADD: %[[W:.*]] = arith.extsi %[[WB]] : vector<8xi8> to vector<8xi16>
// MADD: %[[P:.*]] = vector.load %[[T]][%c0, %c0, %{{.*}}] : memref<1x1x20xi16>, vector<2xi16>
// MADD: %[[PW:.*]] = vector.bitcast %[[P]] : vector<2xi16> to vector<1xi32>
// MADD: %[[PS:.*]] = vector.extract %[[PW]][0]
// MADD: %[[PB:.*]] = vector.broadcast %[[PS]] : i32 to vector<4xi32>
// MADD: %[[X:.*]] = vector.bitcast %[[PB]] : vector<4xi32> to vector<8xi16>
// MADD: %[[D:.*]] = llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%[[X]], %[[W]]) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// MADD: arith.addi %{{.*}}, %[[D]] : vector<4xi32>
// MADD-NOT: linalg.conv
//
// Armv7E-M DSP, no vectors: scalar accumulators for 2 pixels x 2
// channels. Each group's input word (4 byte loads LLVM merges) splits by
// sxtb16 into bytes (0, 2) and, rotated right by 8, (1, 3); each meets a
// filter word of 16-bit pairs in an smlad. The filter words per group
// and channel: (1, 3) (2, 4), (-1, -1) x 2, then (5, 0) (6, 0), (-1, 0) x 2.
// DSP-LABEL: func.func @conv_q
// DSP: %[[F:.*]] = memref.get_global @w_dsp : memref<8xi32>
// DSP: %[[T:.*]] = memref.get_global @w_zp3 : memref<2xi32>
// DSP: %[[A0:.*]] = memref.load %[[T]][%c0]
// DSP: %[[LO:.*]] = memref.load %[[F]][%c0]
// DSP: %[[HI:.*]] = memref.load %[[F]][%c1]
// DSP: %[[E:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[W:.*]]) : (i32) -> i32
// DSP: %[[R1:.*]] = arith.shrui %[[W]], %c8_i32
// DSP: %[[R2:.*]] = arith.shli %[[W]], %c24_i32
// DSP: %[[R:.*]] = arith.ori %[[R1]], %[[R2]]
// DSP: %[[O:.*]] = llvm.call_intrinsic "llvm.arm.sxtb16"(%[[R]])
// DSP: %[[S:.*]] = llvm.call_intrinsic "llvm.arm.smlad"(%[[E]], %[[LO]], %[[A0]])
// DSP: llvm.call_intrinsic "llvm.arm.smlad"(%[[O]], %[[HI]], %[[S]])
// DSP-NOT: vector.
// DSP: memref.store {{.*}} : memref<1x1x3x2xi32>
// DSP-NOT: linalg.conv
memref.global "private" constant @w : memref<2x1x1x6xi8> = dense<[[[[1, 2, 3, 4, 5, 6]]], [[[-1, -1, -1, -1, -1, -1]]]]> {alignment = 64 : i64}
func.func @conv_q(%in: memref<1x1x3x6xi8>, %out: memref<1x1x3x2xi32>) {
  %w = memref.get_global @w : memref<2x1x1x6xi8>
  %zp = arith.constant 3 : i32
  %c0 = arith.constant 0 : i32
  linalg.fill ins(%c0 : i32) outs(%out : memref<1x1x3x2xi32>)
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0 : memref<1x1x3x6xi8>, memref<2x1x1x6xi8>, i32, i32) outs(%out : memref<1x1x3x2xi32>)
  return
}

// Rows that are not contiguous stay in place: each group's word splits in
// registers into its even and odd bytes as i16 pairs, (x0, x2) by a shift
// up and an arithmetic shift down, (x1, x3) by the shift down alone, each
// against its half of a filter packed (w0, w2) for all lanes, then
// (w1, w3): two vpmaddwd per group.
// MADD-LABEL: func.func @conv_q_strided
// MADD-DAG: %[[F:.*]] = memref.get_global @w_packed4x4_4_eo : memref<32xi8>
// MADD-DAG: %[[C8:.*]] = arith.constant dense<8> : vector<8xi16>
// MADD-NOT: memref.alloc
// MADD: %[[WEB:.*]] = vector.load %[[F]][%c0] : memref<32xi8>, vector<8xi8>
// MADD: %[[WE:.*]] = arith.extsi %[[WEB]] : vector<8xi8> to vector<8xi16>
// MADD: %[[WOB:.*]] = vector.load %[[F]][%c8] : memref<32xi8>, vector<8xi8>
// MADD: %[[WO:.*]] = arith.extsi %[[WOB]] : vector<8xi8> to vector<8xi16>
// MADD: %[[XB:.*]] = vector.broadcast %{{.*}} : i32 to vector<4xi32>
// MADD: %[[X:.*]] = vector.bitcast %[[XB]] : vector<4xi32> to vector<8xi16>
// MADD: %[[U:.*]] = arith.shli %[[X]], %[[C8]] : vector<8xi16>
// MADD: %[[E:.*]] = arith.shrsi %[[U]], %[[C8]] : vector<8xi16>
// MADD: %[[O:.*]] = arith.shrsi %[[X]], %[[C8]] : vector<8xi16>
// MADD: %[[DE:.*]] = llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%[[E]], %[[WE]])
// MADD: %[[A:.*]] = arith.addi %{{.*}}, %[[DE]] : vector<4xi32>
// MADD: %[[DO:.*]] = llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%[[O]], %[[WO]])
// MADD: arith.addi %[[A]], %[[DO]] : vector<4xi32>
// MADD-NOT: linalg.conv
func.func @conv_q_strided(%in: memref<1x1x3x6xi8, strided<[36, 36, 12, 1]>>, %out: memref<1x1x3x2xi32>) {
  %w = memref.get_global @w : memref<2x1x1x6xi8>
  %zp = arith.constant 3 : i32
  %c0 = arith.constant 0 : i32
  linalg.fill ins(%c0 : i32) outs(%out : memref<1x1x3x2xi32>)
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0 : memref<1x1x3x6xi8, strided<[36, 36, 12, 1]>>, memref<2x1x1x6xi8>, i32, i32) outs(%out : memref<1x1x3x2xi32>)
  return
}

// A bias initialization from a constant global takes the zero-point term
// in: 10 and 20 - 131 x 4 = -514 (0xFFFFFDFE) and -504 (0xFFFFFE08), in a
// new bias global; the old one and the generic are gone, and no table.
// VNNI-LABEL: func.func @bias_folded
// VNNI-NOT: linalg.generic
// VNNI: %[[B:.*]] = memref.get_global @bias_zp131_w2 : memref<2xi32>
// VNNI: vector.load %[[B]][%c0] : memref<2xi32>, vector<2xi32>
// VNNI-COUNT-3: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"
// VNNI-NOT: llvm.call_intrinsic
#bias = affine_map<(d0, d1, d2, d3) -> (d3)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
memref.global "private" constant @w2 : memref<2x1x1x4xi8> = dense<1> {alignment = 64 : i64}
memref.global "private" constant @bias : memref<2xi32> = dense<[10, 20]> {alignment = 64 : i64}
func.func @bias_folded(%in: memref<1x1x3x4xi8>, %out: memref<1x1x3x2xi32>) {
  %w = memref.get_global @w2 : memref<2x1x1x4xi8>
  %b = memref.get_global @bias : memref<2xi32>
  %zp = arith.constant 3 : i32
  %c0 = arith.constant 0 : i32
  linalg.generic {indexing_maps = [#bias, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%b : memref<2xi32>) outs(%out : memref<1x1x3x2xi32>) {
  ^bb0(%x: i32, %o: i32):
    linalg.yield %x : i32
  }
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0 : memref<1x1x3x4xi8>, memref<2x1x1x4xi8>, i32, i32) outs(%out : memref<1x1x3x2xi32>)
  return
}

// 24 output channels on AVX-512: a 16-lane and an 8-lane accumulator per
// pixel. Each input word is broadcast and flipped once, at 16 lanes; the
// 8-lane dot takes the low half of that register.
// VNNI-LABEL: func.func @two_widths
// WIDE-LABEL: func.func @two_widths
// WIDE: %[[B:.*]] = vector.broadcast %{{.*}} : i32 to vector<16xi32>
// WIDE: %[[U:.*]] = arith.xori %[[B]], %{{.*}} : vector<16xi32>
// WIDE-NOT: vector.broadcast
// WIDE: %[[U8:.*]] = vector.extract_strided_slice %[[U]] {offsets = [0], sizes = [8], strides = [1]} : vector<16xi32> to vector<8xi32>
// WIDE: %[[V8:.*]] = vector.bitcast %[[U8]] : vector<8xi32> to vector<32xi8>
// WIDE: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// WIDE: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.256"(%{{.*}}, %[[V8]], %{{.*}})
memref.global "private" constant @w24 : memref<24x1x1x4xi8> = dense<1> {alignment = 64 : i64}
func.func @two_widths(%in: memref<1x1x2x4xi8>, %out: memref<1x1x2x24xi32>) {
  %w = memref.get_global @w24 : memref<24x1x1x4xi8>
  %zp = arith.constant 0 : i32
  %c0i = arith.constant 0 : i32
  linalg.fill ins(%c0i : i32) outs(%out : memref<1x1x2x24xi32>)
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0i : memref<1x1x2x4xi8>, memref<24x1x1x4xi8>, i32, i32) outs(%out : memref<1x1x2x24xi32>)
  return
}

// A 1x3 window on 3 channels: groups of 4 would all be partial, so they
// run along the window row's 9 contiguous inputs (W x C collapsed): two
// full groups from 3 x pixel, then one of a single value. Zero point -128
// flips to 0: no zero-point term.
// VNNI-LABEL: func.func @flat_rows
// VNNI: %[[ROW:.*]] = memref.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : memref<1x1x5x3xi8> into memref<1x1x15xi8>
// VNNI: scf.for %[[G:.*]] = %c0 to %c2 step %c1
// VNNI: %[[L:.*]] = arith.muli %[[G]], %c4
// VNNI: vector.load %[[ROW]][%c0, %c0, %[[L]]] : memref<1x1x15xi8>, vector<4xi8>
// VNNI: %[[L1:.*]] = arith.addi %[[L]], %c3
// VNNI: vector.load %[[ROW]][%c0, %c0, %[[L1]]] : memref<1x1x15xi8>, vector<4xi8>
// VNNI: scf.yield
// VNNI: vector.load %[[ROW]][%c0, %c0, %c8] : memref<1x1x15xi8>, vector<1xi8>
// VNNI-NOT: w3_zp
memref.global "private" constant @w3 : memref<1x1x3x3xi8> = dense<[[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]> {alignment = 64 : i64}
func.func @flat_rows(%in: memref<1x1x5x3xi8>, %out: memref<1x1x3x1xi32>) {
  %w = memref.get_global @w3 : memref<1x1x3x3xi8>
  %zp = arith.constant -128 : i32
  %c0 = arith.constant 0 : i32
  linalg.fill ins(%c0 : i32) outs(%out : memref<1x1x3x1xi32>)
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0 : memref<1x1x5x3xi8>, memref<1x1x3x3xi8>, i32, i32) outs(%out : memref<1x1x3x1xi32>)
  return
}

// Depthwise on DSP targets: scalar tiles of channel pairs (5 channels: two
// pairs, then one), each filter value widened once per window position
// for both pixels.
// DSP-LABEL: func.func @depthwise_q
// DSP: %[[T:.*]] = memref.get_global @dw_zp2 : memref<5xi32>
// DSP: scf.for
// DSP: memref.load %[[T]]
// DSP: scf.for
// DSP: scf.for
// DSP: %[[W:.*]] = memref.load {{.*}} : memref<3x3x5xi8>
// DSP: %[[WI:.*]] = arith.extsi %[[W]] : i8 to i32
// DSP: %[[X:.*]] = memref.load %arg0{{.*}} : memref<1x3x3x5xi8>
// DSP: %[[XI:.*]] = arith.extsi %[[X]] : i8 to i32
// DSP: %[[P:.*]] = arith.muli %[[XI]], %[[WI]] : i32
// DSP: arith.addi %{{.*}}, %[[P]] : i32
// DSP-NOT: vector.
// DSP-NOT: linalg.depthwise
//
// int8 depthwise on a dot unit: the window's 3 rows are interleaved per
// input column and channel into an arena scratch buffer (four bytes per
// lane, the fourth zero) and flipped to u8, once per column; each output
// pixel then takes one vpdpbusd per window column against the filter
// packed the same way ([KW][1][8 channels][4], zeros past KH and C). The
// accumulator starts at -(2 + 128) x 9 = -1170 (0xFFFFFB6E).
// VNNI-LABEL: func.func @depthwise_q
// VNNI-DAG: %[[W:.*]] = memref.get_global @dw_dot8x4 : memref<96xi8>
// VNNI-DAG: %[[T:.*]] = memref.get_global @dw_zp130 : memref<5xi32>
// VNNI: %[[S:.*]] = memref.alloc() {alignment = 64 : i64} : memref<96xi8>
// VNNI: scf.for %[[COL:.*]] = %c0 to %c3
// VNNI: %[[R0:.*]] = vector.load %arg0[%c0, %c0, %[[COL]], %c0] : memref<1x3x3x5xi8>, vector<4xi8>
// VNNI: %[[R1:.*]] = vector.load %arg0[%c0, %c1, %[[COL]], %c0]
// VNNI: %[[R2:.*]] = vector.load %arg0[%c0, %c2, %[[COL]], %c0]
// VNNI: %[[AB:.*]] = vector.interleave %[[R0]], %[[R1]] : vector<4xi8> -> vector<8xi8>
// VNNI: %[[CD:.*]] = vector.interleave %[[R2]], %{{.*}} : vector<4xi8> -> vector<8xi8>
// VNNI: %[[X:.*]] = vector.shuffle %[[AB]], %[[CD]] [0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15]
// VNNI: %[[U:.*]] = arith.xori %[[X]], %{{.*}} : vector<16xi8>
// VNNI: vector.store %[[U]], %[[S]]
// VNNI: vector.load %[[T]][%c0] : memref<5xi32>, vector<4xi32>
// VNNI: scf.for %{{.*}} = %c0 to %c3
// VNNI: %[[WV:.*]] = vector.load %[[W]][%{{.*}}] : memref<96xi8>, vector<16xi8>
// VNNI: %[[XV:.*]] = vector.load %[[S]][%{{.*}}] : memref<96xi8>, vector<16xi8>
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"(%{{.*}}, %[[XV]], %[[WV]])
// VNNI-NOT: linalg.depthwise
//
// On x86 without VNNI, pairs of window rows per i32 lane, sign-extended to
// i16 (the third row with a zero row), against a filter packed the same
// way, one vpmaddwd per window column and pair of rows.
// MADD-LABEL: func.func @depthwise_q
// MADD-DAG: %[[W:.*]] = memref.get_global @dw_dot8x2 : memref<72xi8>
// MADD-DAG: memref.get_global @dw_zp2 : memref<5xi32>
// MADD: %[[S:.*]] = memref.alloc() {alignment = 64 : i64} : memref<96xi16>
// MADD: scf.for %[[COL:.*]] = %c0 to %c3
// MADD: %[[R0:.*]] = vector.load %arg0[%c0, %c0, %[[COL]], %c0] : memref<1x3x3x5xi8>, vector<4xi8>
// MADD: %[[H0:.*]] = arith.extsi %[[R0]] : vector<4xi8> to vector<4xi16>
// MADD: %[[R1:.*]] = vector.load %arg0[%c0, %c1, %[[COL]], %c0]
// MADD: %[[H1:.*]] = arith.extsi %[[R1]] : vector<4xi8> to vector<4xi16>
// MADD: %[[X:.*]] = vector.interleave %[[H0]], %[[H1]] : vector<4xi16> -> vector<8xi16>
// MADD: vector.store %[[X]], %[[S]]
// MADD: %[[WB:.*]] = vector.load %[[W]][%{{.*}}] : memref<72xi8>, vector<8xi8>
// MADD: %[[WV:.*]] = arith.extsi %[[WB]] : vector<8xi8> to vector<8xi16>
// MADD: %[[XV:.*]] = vector.load %[[S]][%{{.*}}] : memref<96xi16>, vector<8xi16>
// MADD: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%[[XV]], %[[WV]])
// The third row's filter is stored alone (3 rows per column, not 4): one
// byte per channel, sign-extended to i32 as the pair (w, 0 or -1), whose
// high half meets the zero row.
// MADD: %[[LB:.*]] = vector.load %[[W]][%{{.*}}] : memref<72xi8>, vector<4xi8>
// MADD: %[[LW:.*]] = arith.extsi %[[LB]] : vector<4xi8> to vector<4xi32>
// MADD: %[[L:.*]] = vector.bitcast %[[LW]] : vector<4xi32> to vector<8xi16>
// MADD: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%{{.*}}, %[[L]])
// MADD-NOT: linalg.depthwise
//
// Without a dot product: along channels with i32 lanes, input and filter
// widened per multiply; the accumulator starts at -2 x 9 = -18
// (0xFFFFFFEE) for zero point 2 and a window of ones.
// WIDEN-LABEL: func.func @depthwise_q
// WIDEN: %[[T:.*]] = memref.get_global @dw_zp2 : memref<5xi32>
// WIDEN: vector.load %[[T]][%c0] : memref<5xi32>, vector<4xi32>
// WIDEN: scf.for
// WIDEN: scf.for
// WIDEN: %[[W:.*]] = vector.load {{.*}} : memref<3x3x5xi8>, vector<4xi8>
// WIDEN: %[[WI:.*]] = arith.extsi %[[W]] : vector<4xi8> to vector<4xi32>
// WIDEN: %[[X:.*]] = vector.load %arg0{{.*}} : memref<1x3x3x5xi8>, vector<4xi8>
// WIDEN: %[[XI:.*]] = arith.extsi %[[X]] : vector<4xi8> to vector<4xi32>
// WIDEN: %[[P:.*]] = arith.muli %[[XI]], %[[WI]] : vector<4xi32>
// WIDEN: arith.addi %{{.*}}, %[[P]] : vector<4xi32>
// WIDEN-NOT: linalg.depthwise
//
// sdot: the same interleaving, signed, without the flip.
// SDOT-LABEL: func.func @depthwise_q
// SDOT: memref.get_global @dw_zp2
// SDOT-NOT: arith.xori
// SDOT: vector.interleave
// SDOT: llvm.call_intrinsic "llvm.aarch64.neon.sdot.v4i32.v16i8"
memref.global "private" constant @dw : memref<3x3x5x1xi8> = dense<1> {alignment = 64 : i64}
func.func @depthwise_q(%in: memref<1x3x3x5xi8>, %out: memref<1x1x1x5x1xi32>) {
  %w = memref.get_global @dw : memref<3x3x5x1xi8>
  %zp = arith.constant 2 : i32
  %c0 = arith.constant 0 : i32
  linalg.fill ins(%c0 : i32) outs(%out : memref<1x1x1x5x1xi32>)
  linalg.depthwise_conv_2d_nhwc_hwcm_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %c0 : memref<1x3x3x5xi8>, memref<3x3x5x1xi8>, i32, i32) outs(%out : memref<1x1x1x5x1xi32>)
  return
}

// A non-zero filter zero point is left to the scalar loops.
// VNNI-LABEL: func.func @filter_zero_point
// VNNI: linalg.conv_2d_nhwc_fhwc_q
// SDOT-LABEL: func.func @filter_zero_point
// DSP-LABEL: func.func @filter_zero_point
// WIDEN-LABEL: func.func @filter_zero_point
// MADD-LABEL: func.func @filter_zero_point
// MADD: linalg.conv_2d_nhwc_fhwc_q

// The packed filters and zero-point terms, in hex.
// VNNI: w_packed4x4_4: "0x0800000001020304FFFFFFFF000000000000000005060000FFFF00000000000000000000"
// VNNI: w_zp131: "0x0800000041F5FFFF12030000"
// VNNI: bias_zp131_w2: "0x08000000FEFDFFFF08FEFFFF"
// VNNI-NOT: w2_zp
// VNNI: dw_dot8x4: "0x08000000010101000101010001010100010101000101010000000000000000000000000001010100010101000101010001010100010101000000000000000000000000000101010001010100010101000101010001010100000000000000000000000000"
// VNNI: dw_zp130: "0x080000006EFBFFFF6EFBFFFF6EFBFFFF6EFBFFFF6EFBFFFF"
// SDOT: w_zp3: "0x08000000C1FFFFFF12000000"
// WIDEN: w_packed4x1_4: "0x0800000001FF02FF03FF04FF05FF06FF"
// WIDEN: dw_zp2: "0x08000000EEFFFFFFEEFFFFFFEEFFFFFFEEFFFFFFEEFFFFFF"
// MADD: w_packed4x2_4: "0x080000000102FFFF000000000304FFFF000000000506FFFF00000000"
// MADD: w_packed4x4_4_eo: "0x080000000103FFFF000000000204FFFF000000000500FF00000000000600FF0000000000"
// MADD: dw_dot8x2: "0x08000000010101010101010101010000000000000101010101000000010101010101010101010000000000000101010101000000010101010101010101010000000000000101010101000000"
// DSP: w_dsp: "0x080000000100030002000400FFFFFFFFFFFFFFFF0500000006000000FFFF0000FFFF0000"
func.func @filter_zero_point(%in: memref<1x1x3x6xi8>, %w: memref<2x1x1x6xi8>, %out: memref<1x1x3x2xi32>) {
  %zp = arith.constant 3 : i32
  linalg.conv_2d_nhwc_fhwc_q {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%in, %w, %zp, %zp : memref<1x1x3x6xi8>, memref<2x1x1x6xi8>, i32, i32) outs(%out : memref<1x1x3x2xi32>)
  return
}
