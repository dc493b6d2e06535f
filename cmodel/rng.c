/* rng.c - deterministic PRNG (xoshiro256** with splitmix64 seeding) so
 * synthetic traces are the same bytes on every host. */
#include <math.h>
#include "spattn.h"

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void sp_rng_seed(sp_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t sp_rng_next(sp_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double sp_rng_uniform(sp_rng *r)
{
    return (double)(sp_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

double sp_rng_normal(sp_rng *r)
{
    /* Box-Muller; uses 1 - u so the log argument is never 0 */
    double u = 1.0 - sp_rng_uniform(r), v = sp_rng_uniform(r);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}
