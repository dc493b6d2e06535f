# heat_cycles.gp - heat map of cycles over the first two swept keys (x: the
# first, y: the second; further swept keys held at their first value, the
# title says which); each cell printed with its value. Data: plot_heat.dat,
# plot_vars.gp (also the tic labels: the swept values, numbers only),
# plot_labels.dat (written by spattn plot from sweep.csv, docs/sweep.md
# "Plots"). Run in the sweep directory.
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
set datafile missing "?"
@set_heat_tics
set xrange [-0.5:n_x - 0.5]
set yrange [-0.5:n_y - 0.5]
set xlabel key0 noenhanced
set ylabel key1 noenhanced
set cblabel "cycles (thousands, timing model)"
set palette defined (0 "#440154", 1 "#3b528b", 2 "#21918c", 3 "#5ec962", 4 "#fde725")
set style textbox opaque noborder
set title "Cycles over ".key0." and ".key1."\n".sub.(strlen(heldnote) > 0 ? "\n".heldnote : "") noenhanced
set terminal pngcairo noenhanced size 1000,680 font "sans,11"
set output "heat_cycles.png.part"
plot "plot_heat.dat" using 1:2:3 with image notitle, \
     "" using 1:2:(sprintf("%.4g", $3)) with labels boxed font ",9" notitle
set terminal svg noenhanced size 1000,680 font "sans,11" dynamic
set output "heat_cycles.svg.part"
replot
unset output
