/* engine_rtl.h - `spattn run --engine rtl|cosim`: runs the co-simulation
 * binary (build/sim/spattn_cosim, mk/sim.mk) on the same config, trace and
 * output directory. */
#ifndef SP_ENGINE_RTL_H
#define SP_ENGINE_RTL_H

/* Returns the co-sim's exit status (0 PASS or done, 1 FAIL, 2 bad input).
 * waves: FILE.fst for the co-sim's --waves, or NULL. */
int sp_engine_rtl_run(const char *engine, const char *cfg_path, const char *trace, const char *out,
                      const char *waves);
#endif
