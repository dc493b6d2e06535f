# dram.gp - DRAM data traffic per layer (MB, all iterations and heads):
# this run (pruned) against its dense baseline. Data: dram_layers.dat
# (layer, run_MB, dense_MB).
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
set ylabel "DRAM data (MB)"
set xlabel "layer"
set yrange [0:*]
set title "DRAM traffic per layer: pruned vs dense\n".trace_name." (config ".config_name.")\n".totals noenhanced
set terminal pngcairo size 1000,560 font "sans,11"
set output "dram.png.part"
plot "dram_layers.dat" using 2:xtic(1) title "run (pruned)" lc rgb "#2ca02c", \
     "" using 3 title "dense baseline" lc rgb "#bbbbbb"
set terminal svg size 1000,560 font "sans,11"
set output "dram.svg.part"
replot
unset output
