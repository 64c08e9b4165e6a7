# Plots the medians of tests/bench/switch.sh, one panel per figure, one bar per switch.
#   gnuplot -e "datafile='switch.dat'; outfile='switch.png'" switch-plot.gp
# datafile columns: setup tcp1 tcp4 udp_kfps ping_avg ping_p99 cpu_per_gbit (NaN = missing)
if (!exists("datafile")) datafile = 'switch.dat'
if (!exists("outfile")) outfile = 'switch.png'

set terminal pngcairo size 1500,800 font ",10" noenhanced
set output outfile
set style fill solid 0.8 border -1
set boxwidth 0.6
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.1, 0
set xtics scale 0
set xrange [-0.5:2.5]
set key off
set datafile missing "NaN"

set multiplot layout 2,3 title "Two hosts through one switch: medians (same run, MTU 1500)"
set title "TCP single stream (Gbit/s, higher is better)"
plot datafile using 0:2:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:2:(sprintf("%.2f", $2)) with labels offset 0,0.8
set title "TCP -P 4 (Gbit/s, higher is better)"
plot datafile using 0:3:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:3:(sprintf("%.2f", $3)) with labels offset 0,0.8
set title "UDP 18-byte frames delivered (k frames/s, higher is better)"
plot datafile using 0:4:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:4:(sprintf("%.0f", $4)) with labels offset 0,0.8
set title "ping avg (ms, lower is better)"
plot datafile using 0:5:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:5:(sprintf("%.3f", $5)) with labels offset 0,0.8
set title "ping p99 (ms, lower is better)"
plot datafile using 0:6:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:6:(sprintf("%.3f", $6)) with labels offset 0,0.8
set title "switch CPU s per Gbit, TCP1 (lower is better; bridge: in the kernel)"
plot datafile using 0:7:($0+1):xtic(1) with boxes lc variable, \
     '' using 0:7:(sprintf("%.4f", $7)) with labels offset 0,0.8
unset multiplot
