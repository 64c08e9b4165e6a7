# Plots tests/bench/lab.sh's medians against the number of nodes, containet beside Mininet:
#   gnuplot -e "datafile='lab-n.dat'; pingfile='lab-ping.dat'; outfile='lab.png'" lab-plot.gp
# datafile columns: N containet mininet (up + down of single,N, seconds)
# pingfile columns: N containet mininet (pingall on single,N, seconds; NaN = missing)
if (!exists("datafile")) datafile = 'lab-n.dat'
if (!exists("pingfile")) pingfile = 'lab-ping.dat'
if (!exists("outfile")) outfile = 'lab.png'

set terminal pngcairo size 1200,500 font ",10" noenhanced
set output outfile
set grid
set key top left
set xlabel "nodes (single,N: one switch)"
set ylabel "seconds (median, lower is better)"
set yrange [0:*]
set datafile missing "NaN"
set multiplot layout 1,2 title "containet lab against Mininet (--switch lxbr), same run"
set title "lab up + down"
plot datafile using 1:2 with linespoints lw 2 title "containet lab", \
     '' using 1:3 with linespoints lw 2 title "Mininet"
set title "pingall (every ordered pair)"
plot pingfile using 1:2 with linespoints lw 2 title "containet lab", \
     '' using 1:3 with linespoints lw 2 title "Mininet"
unset multiplot
