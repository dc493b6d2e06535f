# ice40_units.awk - the iCE40 cells of the flattened spattn_top per unit,
# from the Yosys JSON netlist of rtl/fpga/ice40_pnr.sh (DIR/fpga_wrap.json).
# Flattening keeps the instance path in a cell's name (u_dut.u_topk....):
# a cell counts for the unit its name starts with, "glue" for the top's
# other cells (u_dut....), "wrapper" for the serial-I/O wrapper's. The
# names of flip-flops and RAMs come from their output wires; a LUT's name
# comes from the wire it drives, so a LUT that feeds another unit's port
# wire can be counted there: the LUT split is close, not exact.
#   awk -v pars="D=4 ..." -f ice40_units.awk fpga_wrap.json
# Prints the header line and one line per unit, most LUTs first.
/^    "[^"]+": \{$/ { mod = $1; gsub(/[":]/, "", mod) }
/^      "[a-z_]+": \{/ { incells = ($1 == "\"cells\":" && mod == "fpga_wrap"); next }
incells && /^        "/ { name = $0; sub(/^ *"/, "", name); sub(/": \{.*$/, "", name) }
incells && /^          "type": / {
  t = $2; gsub(/[",]/, "", t)
  if (match(name, /^u_dut\.u_[a-z0-9_]+\./)) u = substr(name, 9, RLENGTH - 9)
  else if (name ~ /^u_dut\./) u = "glue"
  else u = "wrapper"
  units[u] = 1
  if (t == "SB_LUT4") lut[u]++
  else if (t ~ /^SB_DFF/) ff[u]++
  else if (t == "SB_CARRY") car[u]++
  else if (t == "SB_RAM40_4K") ram[u]++
  else if (t == "SB_MAC16") dsp[u]++
}
END {
  print "unit,params,sb_lut4,sb_dff,sb_carry,sb_ram40_4k,sb_mac16"
  n = 0
  for (u in units) order[++n] = u
  for (i = 2; i <= n; i++)  # insertion sort: most LUTs first, then by name
    for (j = i; j > 1 && (lut[order[j]] > lut[order[j - 1]] || (lut[order[j]] == lut[order[j - 1]] && order[j] < order[j - 1])); j--) {
      x = order[j]; order[j] = order[j - 1]; order[j - 1] = x
    }
  for (i = 1; i <= n; i++) {
    u = order[i]
    printf "%s,\"%s\",%d,%d,%d,%d,%d\n", u, pars, lut[u], ff[u], car[u], ram[u], dsp[u]
  }
}
