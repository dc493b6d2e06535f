# lines_error.gp - output error against the first swept key, one line per value of
# the second (one line with one swept key); further swept keys are held at
# their first value (the title says which). Data: plot_lines.dat,
# plot_vars.gp, plot_labels.dat (written by spattn plot from sweep.csv,
# docs/sweep.md "Plots"). Run in the sweep directory.
reset
load "plot_vars.gp"
# text from plot_labels.dat: each string's bytes as numbers, read as data
# (a name is never gnuplot code); the block numbers are in plot_vars.gp
sub = ""
stats "plot_labels.dat" index 0 using (c = int($1), sub = sub.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
key0 = ""
stats "plot_labels.dat" index 1 using (c = int($1), key0 = key0.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
key1 = ""
stats "plot_labels.dat" index 2 using (c = int($1), key1 = key1.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
heldnote = ""
stats "plot_labels.dat" index 3 using (c = int($1), heldnote = heldnote.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
array T[n_series]
do for [j = 1:n_series] {
    s = ""
    stats "plot_labels.dat" index (series_block + j - 1) using (c = int($1), s = s.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
    T[j] = s
}
set datafile missing "?"
set grid
set key outside right top noenhanced
set xlabel key0 noenhanced
set ylabel "mean relative L2 error of head outputs (%)"
set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05
set title "Output error vs ".key0."\n".sub.(strlen(heldnote) > 0 ? "\n".heldnote : "") noenhanced
set terminal pngcairo noenhanced size 1100,620 font "sans,11"
set output "lines_error.png.part"
plot for [j = 0:n_series - 1] "plot_lines.dat" index j using 1:4 with linespoints lw 2 pt 7 ps 1.1 title T[j + 1]
set terminal svg noenhanced size 1100,620 font "sans,11" dynamic
set output "lines_error.svg.part"
replot
unset output
