// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128 blocked-input-bytes=64},canonicalize,cse)" | FileCheck %s
// RUN: whittle-opt %s --split-input-file --pass-pipeline="builtin.module(whittle-vectorize-kernels{vector-bits=128},canonicalize,cse)" | FileCheck %s --check-prefix=SMALL

// A constant B that the reduction walks row by row (k) while the vectors
// run along its 20 columns, in blocks of 16 lanes (4 vectors of 4): packed
// at compile time block by block, [20 / 16][3][16] with the last block 4
// wide, so each block reads 16 contiguous values per k (row k of block 0
// at 16 k, of the last block at 48 + 4 k). The blob holds columns 0-15 of
// rows 0, 1, 2 (0..15, 20..35, 40..55), then 16-19 of each (16.0 is
// 0x41800000, 36.0 0x42100000). The original global goes.
// CHECK-NOT: memref.global "private" constant @b :
// CHECK: memref.global "private" constant @b_blocked16 : memref<60xf32>
// CHECK-NOT: memref.global "private" constant @b :
// CHECK-LABEL: func.func @matmul_blocked
// CHECK: %[[P:.*]] = memref.get_global @b_blocked16 : memref<60xf32>
// CHECK: scf.for %[[K:.*]] = %c0 to %c3
// CHECK: %[[R:.*]] = arith.muli %[[K]], %c16 : index
// CHECK: vector.load %[[P]][%[[R]]] : memref<60xf32>, vector<4xf32>
// CHECK: %[[R4:.*]] = arith.addi %[[R]], %c4 : index
// CHECK: vector.load %[[P]][%[[R4]]] : memref<60xf32>, vector<4xf32>
// CHECK: scf.for %[[K2:.*]] = %c0 to %c3
// CHECK: %[[L:.*]] = arith.muli %[[K2]], %c4 : index
// CHECK: %[[L48:.*]] = arith.addi %[[L]], %c48 : index
// CHECK: vector.load %[[P]][%[[L48]]] : memref<60xf32>, vector<4xf32>
// CHECK: b_blocked16: "0x08000000000000000000803F{{.*}}000070410000A041{{.*}}00005C42000080410000884100009041000098410000104200001442{{.*}}6C42"
// Under the size threshold B stays as it is.
// SMALL-LABEL: func.func @matmul_blocked
// SMALL: memref.get_global @b : memref<1x3x20xf32>
// SMALL-NOT: blocked
memref.global "private" constant @b : memref<1x3x20xf32> = dense<[[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0], [20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0, 32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0], [40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0, 48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0]]]>
func.func @matmul_blocked(%a: memref<1x2x3xf32>, %c: memref<1x2x20xf32>) {
  %b = memref.get_global @b : memref<1x3x20xf32>
  linalg.batch_matmul ins(%a, %b : memref<1x2x3xf32>, memref<1x3x20xf32>) outs(%c : memref<1x2x20xf32>)
  return
}

// -----

// Values the same in every lane stay scalars: the requantization of the
// broadcast input a (a fixed-point rescale on i64, a clamp, a narrowing)
// runs once per reduction step on scalars, and only its result is
// broadcast to meet B's per-lane values.
// CHECK-LABEL: func.func @uniform
// CHECK: scf.for
// CHECK: %[[A:.*]] = memref.load %arg0
// CHECK: %[[W:.*]] = arith.extsi %[[A]] : i32 to i64
// CHECK: %[[M:.*]] = arith.muli %[[W]], %{{.*}} : i64
// CHECK: arith.shrsi %{{.*}} : i64
// CHECK: %[[Q:.*]] = arith.trunci %{{.*}} : i64 to i32
// CHECK: %[[QB:.*]] = vector.broadcast %[[Q]] : i32 to vector<4xi32>
// CHECK: arith.muli %[[QB]], %{{.*}} : vector<4xi32>
// CHECK-NOT: vector<4xi64>
#a = affine_map<(n, k) -> (k)>
#b = affine_map<(n, k) -> (k, n)>
#c = affine_map<(n, k) -> (n)>
func.func @uniform(%a: memref<6xi32>, %b: memref<6x8xi8>, %c: memref<8xi32>) {
  %m = arith.constant 1418247077 : i64
  %r = arith.constant 34359738368 : i64
  %s = arith.constant 36 : i64
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "reduction"]}
      ins(%a, %b : memref<6xi32>, memref<6x8xi8>) outs(%c : memref<8xi32>) {
  ^bb0(%x: i32, %w: i8, %acc: i32):
    %0 = arith.extsi %x : i32 to i64
    %1 = arith.muli %0, %m : i64
    %2 = arith.addi %1, %r : i64
    %3 = arith.shrsi %2, %s : i64
    %4 = arith.trunci %3 : i64 to i32
    %5 = arith.extsi %w : i8 to i32
    %6 = arith.muli %4, %5 : i32
    %7 = arith.addi %acc, %6 : i32
    linalg.yield %7 : i32
  }
  return
}
