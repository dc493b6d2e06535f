# pareto_accuracy_energy.gp - closed-loop accuracy vs energy of the MiniLM
# sweep (eval/minilm_eval.py writes eval.csv and pareto_front.dat, runs:
# gnuplot -e "dir='OUT'"). x: energy of `spattn sweep` on the exported
# MiniLM trace; y: mean cosine of the sentence embeddings to the float
# model's; labels token_keep/value_keep; the line is the Pareto front.
set datafile separator ","
set terminal pngcairo size 900,600 noenhanced
set output dir."/pareto_accuracy_energy.png"
set title "MiniLM closed loop: sentence-embedding cosine vs energy (token_keep/value_keep)"
set xlabel "energy per run of the MiniLM trace (uJ, spattn sweep)"
set ylabel "mean cosine to the float model"
set grid
set key bottom right
sweep(c) = strcol("point")[1:6] eq "sweep-" ? c : NaN
plot dir."/eval.csv" using (sweep(column("trace_energy_pJ")/1e6)):(column("cos_mean")) \
       with points pt 7 ps 1.2 title "sweep points", \
     "" using (sweep(column("trace_energy_pJ")/1e6)):(column("cos_mean")):(sprintf("%g/%g", column("token_keep"), column("value_keep"))) \
       with labels offset 0,0.8 font ",8" notitle, \
     "" using (strcol("point") eq "paper" ? column("trace_energy_pJ")/1e6 : NaN):(column("cos_mean")) \
       with points pt 6 ps 2.5 lw 2 title "paper point (configs/paper.yaml)", \
     dir."/pareto_front.dat" using 1:2 with lines lw 2 title "Pareto front"
