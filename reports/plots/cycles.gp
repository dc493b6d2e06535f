# cycles.gp - cycles by unit: this run and its dense baseline on the same
# hardware. Data: units.dat (unit, run, dense), written by spattn's report
# writer next to this script, and labels.dat (title text). Run in the output
# directory: gnuplot cycles.gp
reset
# title text: the trace and the config, rebuilt from labels.dat (their
# bytes as numbers, read as data; spattn never writes a name into a script)
trace_name = ""
config_name = ""
stats "labels.dat" index 0 using (c = int($1), trace_name = trace_name.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
stats "labels.dat" index 1 using (c = int($1), config_name = config_name.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
# totals of the run and its dense baseline (totals.dat: numbers only)
stats "totals.dat" using (tc = $1, dc = $2, te = $3, de = $4, tb = $5, db = $6, 0) nooutput
totals = sprintf("run: %d cycles, %.1f uJ, %.1f MB DRAM  |  dense: %d cycles, %.1f uJ, %.1f MB DRAM", tc, te, tb * 1e-6, dc, de, db * 1e-6)
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set format y "%g"
set key outside top center horizontal
set logscale y
set yrange [1:*]
set ylabel "unit busy cycles (summed over head-steps, log scale)"
set xtics rotate by -30 noenhanced
set title "Cycles by unit: run vs dense baseline\n".trace_name." (config ".config_name.")\n".totals noenhanced
set terminal pngcairo size 1000,560 font "sans,11"
set output "cycles.png.part"
plot "units.dat" using 2:xtic(1) title "run" lc rgb "#1f77b4", \
     "" using 3 title "dense baseline" lc rgb "#bbbbbb"
set terminal svg size 1000,560 font "sans,11"
set output "cycles.svg.part"
replot
unset output
