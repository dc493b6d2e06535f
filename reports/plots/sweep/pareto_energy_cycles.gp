# pareto_energy_cycles.gp - a sweep's points in the (cycles, energy) plane,
# the Pareto front (fewest cycles for the energy, least energy for the
# cycles) drawn as a line through its points; every point is labelled
# with its swept values. Data: sweep.csv; names: sweep_vars.gp (both written by
# `spattn sweep`, docs/sweep.md). Run in the output directory.
# one gnuplot process runs every script: start from the defaults
reset
load "sweep_vars.gp"
set datafile separator comma
set table $front separator comma
plot "sweep.csv" using (column("cycles") * 1e-3):(column("energy_total_pJ") * 1e-6):(lab(0)) with table if (column("pareto_cycles_energy") > 0)
unset table
# smooth unique sorts the front by x; it needs two points or more
stats $front using 1 nooutput
front_smooth = STATS_records > 1 ? "smooth unique" : ""
set grid
set key at screen 0.5, screen 0.015 center bottom horizontal maxrows 2
set bmargin 7
set xlabel "cycles (thousands, timing model)"
set ylabel "energy (uJ, energy model)"
set cblabel color_axis noenhanced
set palette defined (0 "#440154", 1 "#3b528b", 2 "#21918c", 3 "#5ec962", 4 "#fde725")
set autoscale fix
set offsets graph 0.04, graph 0.12, graph 0.08, graph 0.06
set title "Energy vs cycles: ".trace_id noenhanced
set terminal pngcairo noenhanced size 1000,650 font "sans,11"
set output "pareto_energy_cycles.png.part"
plot "sweep.csv" using (column("cycles") * 1e-3):(column("energy_total_pJ") * 1e-6):(column(color_axis)) \
       with points pt 7 ps 1.4 lc palette title "sweep point (colour: ".color_axis.")", \
     "sweep.csv" using (column("cycles") * 1e-3):(column("energy_total_pJ") * 1e-6):(lab(0)) \
       with labels offset char 0.8, char -0.7 left font ",8" tc rgb "#777777" notitle, \
     $front using 1:2 @front_smooth with lines lw 2.5 lc rgb "#d62728" title "Pareto front", \
     $front using 1:2 with points pt 6 ps 2.2 lw 2 lc rgb "#d62728" \
       title "on the front (labels: ".label_names.")"
set terminal svg noenhanced size 1000,650 font "sans,11" dynamic
set output "pareto_energy_cycles.svg.part"
replot
unset output
