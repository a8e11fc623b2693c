/*
 * How many threads a parallel region of libscreenmesh uses (internal to the library).
 */
#ifndef SCREENMESH_TEAM_H
#define SCREENMESH_TEAM_H

/*
 * The team size for the next parallel region: omp_get_max_threads() (OMP_NUM_THREADS caps it),
 * less the cores other runnable threads occupy right now, and at least 1. See team.c.
 */
int sm_team(void);

#endif
