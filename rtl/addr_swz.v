// addr_swz.v - the address map's bank swizzle (docs/rtl.md s2): the beat
// field of a memory address holds beat ^ swz, swz = {region[0], head[1:0],
// 1'b0} (widths and shift: SP_ADDR_SWZ_* in sp_defs.vh, defs/spattn.defs).
// Bit 0 is left alone, so the two beats of a row alternate DRAM banks;
// head[1:0] puts the heads in flight at once (V walk, K walk, prefetch) in
// other banks, region[0] a plane's MSB and LSB rows. Pure wiring: the one
// definition the fetcher (reads) and the writer (output writes) share.
`include "sp_defs.vh"
module addr_swz (
  input  wire                                region_lsb_i,  // region[0]
  input  wire [`SP_ADDR_SWZ_HEAD_BITS-1:0]   head_i,        // head[1:0]
  input  wire [`SP_ADDR_BEAT_FIELD_BITS-1:0] beat_i,        // the beat within the row
  output wire [`SP_ADDR_BEAT_FIELD_BITS-1:0] field_o        // the address's beat field
);
  localparam integer FieldW = `SP_ADDR_BEAT_FIELD_BITS;
  localparam integer SwzH   = `SP_ADDR_SWZ_HEAD_BITS;
  localparam integer SwzSh  = `SP_ADDR_SWZ_SHIFT;
  localparam integer SwzPad = FieldW - SwzSh - SwzH - 1;

  wire [FieldW-1:0] swz;
  generate
    if (SwzPad < 0) begin : gen_chk_swz
      $error("addr_swz: the bank swizzle must fit the beat field");
    end
    if (SwzPad > 0) begin : gen_swz_pad
      assign swz = {{SwzPad{1'b0}}, region_lsb_i, head_i, {SwzSh{1'b0}}};
    end else begin : gen_swz
      assign swz = {region_lsb_i, head_i, {SwzSh{1'b0}}};
    end
  endgenerate
  assign field_o = beat_i ^ swz;
endmodule
