/*
 * Team sizes that follow how busy the cores are.
 *
 * A parallel region finishes only when every thread of its team has run its share. On a host
 * whose cores are already taken (other processes, or other callers of this library in the
 * same process) each team thread waits for a time slice of its own, and a two-thread region
 * on two busy cores measured 2-5x slower in wall time than the same work on one thread. So
 * before each region the library counts the threads that are runnable right now
 * (/proc/loadavg, refreshed at most every SM_TEAM_REFRESH_NS) and leaves those cores to them.
 * libgomp's own OMP_DYNAMIC does the same with the 15-minute load average, which reacts far
 * too late, and counts the caller itself as load.
 *
 * SCREENMESH_ADAPTIVE_THREADS=0 turns this off (every region then uses all of
 * omp_get_max_threads()); without /proc the library does the same.
 */
#include "team.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <omp.h>

#define SM_TEAM_REFRESH_NS 10000000 /* 10 ms */

static _Atomic int64_t sampled_at;
static _Atomic int sampled_team; /* 0: not sampled yet */
static _Atomic int adaptive = -1; /* -1: not read yet */

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* The runnable threads of the whole host, this one included, or -1 when unknown. */
static int runnable_threads(void) {
    FILE *f = fopen("/proc/loadavg", "r");
    if (!f) return -1;
    double l1, l5, l15;
    int running = -1, total;
    if (fscanf(f, "%lf %lf %lf %d/%d", &l1, &l5, &l15, &running, &total) != 5) running = -1;
    fclose(f);
    return running;
}

int sm_team(void) {
    int max = omp_get_max_threads();
    if (max <= 1) return 1;
    int on = atomic_load_explicit(&adaptive, memory_order_relaxed);
    if (on < 0) {
        const char *v = getenv("SCREENMESH_ADAPTIVE_THREADS");
        on = !(v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0));
        atomic_store_explicit(&adaptive, on, memory_order_relaxed);
    }
    if (!on) return max;
    int64_t now = now_ns();
    int last = atomic_load_explicit(&sampled_team, memory_order_relaxed);
    if (last > 0 && now - atomic_load_explicit(&sampled_at, memory_order_relaxed) < SM_TEAM_REFRESH_NS) {
        return last < max ? last : max;
    }
    int running = runnable_threads();
    int team = max;
    if (running > 0) {
        /* Not counted as others: this thread, and the workers of our previous team, which
         * may still be spinning at libgomp's barrier (OMP_WAIT_POLICY=active by default). */
        int others = running - 1 - (last > 1 ? last - 1 : 0);
        int free_cores = omp_get_num_procs() - (others > 0 ? others : 0);
        team = free_cores < 1 ? 1 : (free_cores < max ? free_cores : max);
    }
    atomic_store_explicit(&sampled_team, team, memory_order_relaxed);
    atomic_store_explicit(&sampled_at, now, memory_order_relaxed);
    return team;
}
