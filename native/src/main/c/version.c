/* Identification and CPU probe; compiled for the x86-64 baseline so it runs on any CPU. */
#include "screenmesh.h"

#include <fftw3.h>
#include <stdio.h>
#include <omp.h>

__attribute__((target("arch=x86-64"))) int screenmesh_probe(void) {
    __builtin_cpu_init();
    int ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
    int v4 = ok && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
             && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
    return ok | (v4 << 1);
}

int screenmesh_threads(void) { return omp_get_max_threads(); }

const char *screenmesh_version(void) {
    static char text[160];
    snprintf(text, sizeof text, "libscreenmesh 0.1; %s", fftwf_version);
    return text;
}
