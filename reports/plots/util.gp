# util.gp - per-unit utilisation of the run: each unit's work over its
# throughput (DRAM: bus bytes over peak bandwidth) divided by the run's
# cycles; the bound's binding unit is drawn in red. Data: util.dat (unit,
# utilisation, binding flag), written by spattn's report writer next to
# this script, and labels.dat (title text). Run in the output directory:
# gnuplot util.gp
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
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics
set yrange [0:110]
set format y "%.0f%%"
set ylabel "busy cycles / run cycles, % (work over throughput)"
set xtics noenhanced
set key top right
set title "Unit utilisation (red: the bound's binding unit)\n".trace_name." (config ".config_name.")\n".totals noenhanced
set terminal pngcairo size 900,520 font "sans,11"
set output "util.png.part"
plot "util.dat" using 0:(100*$2*($3 == 0 ? 1 : 0)):xtic(1) with boxes lc rgb "#1f77b4" title "unit", \
     "" using 0:(100*$2*$3) with boxes lc rgb "#d62728" title "binding unit", \
     "" using 0:(100*$2):(sprintf("%.0f%%", 100*$2)) with labels offset 0,0.7 notitle
set terminal svg size 900,520 font "sans,11"
set output "util.svg.part"
replot
unset output
