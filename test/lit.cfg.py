# -*- Python -*-
# lit configuration for whittle's regression tests.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "whittle"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.whittle_obj_root, "test")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [
    os.path.join(config.whittle_tools_dir, "whittle"),
    os.path.join(config.whittle_tools_dir, "whittle-opt"),
    config.llvm_tools_dir,
]
llvm_config.add_tool_substitutions(["whittle", "whittle-opt"], tool_dirs)

config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%src_root", config.whittle_src_root))
config.substitutions.append(("%models", config.whittle_models_dir))
config.substitutions.append(("%npm", config.whittle_npm_dir))
config.substitutions.append(("%host_cc", config.host_cc))
config.substitutions.append(
    ("%check_model", "/usr/bin/python3 " +
     os.path.join(config.whittle_src_root, "test", "e2e", "check_model.py")))

# Models compiled for other architectures and run under QEMU
# (test/e2e/run_on_target.py; toolchains and QEMU from scripts/install-deps.sh).
config.substitutions.append(
    ("%run_on_target", "/usr/bin/python3 " +
     os.path.join(config.whittle_src_root, "test", "e2e", "run_on_target.py")))

config.substitutions.append(("%onnx_testdata", "/usr/share/libonnx-testdata/data"))
config.substitutions.append(
    ("%unittests", os.path.join(config.whittle_obj_root, "unittests", "WhittleUnitTests")))
