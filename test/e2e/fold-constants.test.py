#!/usr/bin/env python3
"""Writes a model whose shape computation (Shape, Slice, Cast), transposed
weight and constant masks (Equal, Where) fold at compile time, plus an
Expand too large to fold: fold-constants.test."""
import sys

import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
nodes=[
 h.make_node("Shape",["x"],["s"],name="shape"),
 h.make_node("Slice",["s","st","en"],["n"],name="batch"),
 h.make_node("Cast",["n"],["nf"],to=T.FLOAT,name="batch_f"),
 h.make_node("Reshape",["x","flatshape"],["flat"],name="flatten"),
 h.make_node("Transpose",["wT"],["w"],perm=[1,0],name="wtrans"),
 h.make_node("MatMul",["flat","w"],["mm"],name="mm"),
 h.make_node("Cast",["rng"],["rngf"],to=T.FLOAT,name="cast"),
 h.make_node("Equal",["rng","two"],["eq"],name="eq"),
 h.make_node("Where",["eq","rngf","negf"],["sel"],name="where"),
 h.make_node("Mul",["sel","nf"],["scaled"],name="scale"),
 h.make_node("Add",["mm","scaled"],["y"],name="add"),
 h.make_node("Expand",["negf","bigshape"],["big"],name="expand"),
 h.make_node("ReduceSum",["big"],["bigsum"],keepdims=0,name="bigsum"),
 h.make_node("Add",["y","bigsum"],["z"],name="add_big"),
]
rng=np.random.default_rng(0)
inits=[nh.from_array(np.array([0],np.int64),"st"),nh.from_array(np.array([1],np.int64),"en"),
 nh.from_array(np.array([2,48],np.int64),"flatshape"),
 nh.from_array(rng.standard_normal((5,48)).astype(np.float32),"wT"),
 nh.from_array(np.arange(5,dtype=np.int64),"rng"),
 nh.from_array(np.array(2,np.int64),"two"),nh.from_array(np.array(-1.0,np.float32),"negf"),
 nh.from_array(np.array([128,64],np.int64),"bigshape")]
g=h.make_graph(nodes,"fold",[h.make_tensor_value_info("x",T.FLOAT,[2,3,4,4])],[h.make_tensor_value_info("z",T.FLOAT,[2,5])],inits)
m=h.make_model(g,opset_imports=[h.make_opsetid("",13)])
onnx.checker.check_model(m); onnx.save(m,sys.argv[1])
