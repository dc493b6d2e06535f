# front_error_energy.gp - accuracy against energy: every sweep point, coloured by the first swept key;
# the accuracy is the open-loop output error (sweep.csv, minimised) or, when spattn plot found a matching
# accuracy.csv, the closed-loop metric (maximised); plot_vars.gp acc_closed says which, and the axis
# label and title (plot_labels.dat blocks acc_label, acc_title) name it.
# The Pareto front (energy minimised, accuracy best) drawn in red, its points numbered,
# and a table beside the plot giving each number's swept values (labelling
# every point overprints with several swept keys). Data: plot_points.dat,
# plot_fronts.dat, plot_vars.gp, plot_labels.dat (written by spattn plot from sweep.csv,
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
legh = ""
stats "plot_labels.dat" index 4 using (c = int($1), legh = legh.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
ylab = ""
stats "plot_labels.dat" index acc_label using (c = int($1), ylab = ylab.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
ttl = ""
stats "plot_labels.dat" index acc_title using (c = int($1), ttl = ttl.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
set label 1 "Pareto front points" at screen 0.715, screen 0.895 left font ",10" noenhanced
set label 2 legh at screen 0.715, screen 0.865 left font ",8" noenhanced
do for [i = 0:leg_ee_n - 1] {
    s = ""
    stats "plot_labels.dat" index (leg_ee + i) using (c = int($1), s = s.(c > 0 ? sprintf("%c", c) : ""), 0) nooutput
    set label (10 + i) s at screen 0.715, screen (0.835 - 0.03 * i) left font ",8" noenhanced
}
set datafile missing "?"
set grid
set key at screen 0.33, screen 0.015 center bottom horizontal
set bmargin 6
set rmargin at screen 0.63
set tmargin 5
set xlabel "energy (uJ, energy model)"
set ylabel ylab noenhanced
set cblabel key0 noenhanced
set palette defined (0 "#440154", 1 "#3b528b", 2 "#21918c", 3 "#5ec962", 4 "#fde725")
set autoscale fix
set offsets graph 0.05, graph 0.08, graph 0.08, graph 0.06
# the title centred on the canvas (the legend table takes the right side)
set label 3 ttl." (".n_points." points)\n".sub at screen 0.5, screen 0.97 center front noenhanced
set terminal pngcairo noenhanced size 1400,700 font "sans,11"
set output "front_error_energy.png.part"
plot "plot_points.dat" using 3:5:9 with points pt 7 ps 1.3 lc palette title "sweep point (colour: ".key0.")", \
     "plot_fronts.dat" index 2 using 1:2 with lines lw 2.5 lc rgb "#d62728" title "Pareto front", \
     "plot_fronts.dat" index 2 using 1:2 with points pt 6 ps 2.2 lw 2 lc rgb "#d62728" notitle, \
     "plot_fronts.dat" index 2 using 1:2:(sprintf("#%d", $3)) with labels offset char 0.9, char 0.8 left font ",9" notitle
set terminal svg noenhanced size 1400,700 font "sans,11" dynamic
set output "front_error_energy.svg.part"
replot
unset output
