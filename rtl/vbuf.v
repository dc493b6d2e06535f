// vbuf.v - the value buffer: V rows of the tokens kept by local value
// pruning as bit planes (MSB planes always, LSB planes when the head-step
// requantized); read one line of TPB rows per cycle for the pv unit.
module vbuf #(
  parameter integer D     = 64,
  parameter integer VMsb  = 8,
  parameter integer VLsb  = 4,
  parameter integer Depth = 256,   // rows = max kept values
  parameter integer Lanes = 1,     // tokens per pv beat (NPv / D)
  parameter integer SlotW = 8
) (
  input  wire                   clk_i,
  input  wire                   wr_en_i,
  input  wire                   wr_lsb_i,
  input  wire [SlotW-1:0]       wr_slot_i,
  input  wire [((VMsb > VLsb) ? VMsb : VLsb)*D-1:0] wr_planes_i,
  input  wire [SlotW-((Lanes > 1) ? $clog2(Lanes) : 0)-1:0] rd_line_i,
  input  wire                   rd_full_i,
  output wire [Lanes*D*16-1:0]  rd_data_o
);
  planebuf #(.D(D), .MsbW(VMsb), .LsbW(VLsb), .Depth(Depth), .Lanes(Lanes), .SlotW(SlotW)) u_buf (
    .clk_i(clk_i), .wr_en_i(wr_en_i), .wr_lsb_i(wr_lsb_i), .wr_slot_i(wr_slot_i), .wr_rows_i(1'b1),
    .wr_planes_i(wr_planes_i), .rd_line_i(rd_line_i), .rd_full_i(rd_full_i), .rd_data_o(rd_data_o)
  );
endmodule
