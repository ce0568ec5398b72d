# Included by emulator/CMakeLists.txt when the CUDA kernels are built.
# CMake 3.25 does not know nvcc 13's C++20 flag ("CUDA20 ... not supported"); the kernels need
# only C++17, nvcc's default, so the CUDA sources of the library use that dialect.
set_property(TARGET axx_emulator PROPERTY CUDA_STANDARD 17)
