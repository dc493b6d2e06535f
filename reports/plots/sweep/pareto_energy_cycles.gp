# pareto_energy_cycles.gp - a sweep's points in the (cycles, energy) plane,
# the Pareto front (fewest cycles for the energy, least energy for the
# cycles) drawn as a line through its points; only the front's points are
# labelled with their swept values (labels on every point overprint with
# several swept keys; `spattn plot DIR` draws numbered fronts with a legend
# table, docs/sweep.md "Plots"). Data: sweep.csv; columns: sweep_vars.gp; names:
# labels.dat (all written by `spattn sweep`, docs/sweep.md). Run in the
# output directory.
# one gnuplot process runs every script: start from the defaults
reset
load "sweep_vars.gp"
# names (trace, config, swept keys), rebuilt from labels.dat, which holds
# their bytes as numbers (read as data: a name is never gnuplot code)
trace_id = ""
config_name = ""
color_axis = ""
label_names = ""
stats "labels.dat" index 0 using (c = int($1), trace_id = trace_id.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
stats "labels.dat" index 1 using (c = int($1), config_name = config_name.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
stats "labels.dat" index 2 using (c = int($1), color_axis = color_axis.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
stats "labels.dat" index 3 using (c = int($1), label_names = label_names.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
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
set title "Energy vs cycles: ".trace_id."\nconfig ".config_name noenhanced
set terminal pngcairo noenhanced size 1000,650 font "sans,11"
set output "pareto_energy_cycles.png.part"
plot "sweep.csv" using (column("cycles") * 1e-3):(column("energy_total_pJ") * 1e-6):(column(color_col)) \
       with points pt 7 ps 1.4 lc palette title "sweep point (colour: ".color_axis.")", \
     $front using 1:2 @front_smooth with lines lw 2.5 lc rgb "#d62728" title "Pareto front", \
     $front using 1:2 with points pt 6 ps 2.2 lw 2 lc rgb "#d62728" notitle, \
     $front using 1:2:3 with labels offset char 1.2, char 0.9 left font ",9" \
       title "label: ".label_names
set terminal svg noenhanced size 1000,650 font "sans,11" dynamic
set output "pareto_energy_cycles.svg.part"
replot
unset output
