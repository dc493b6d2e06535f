// kbuf.v - the key buffer: K rows of the active tokens as bit planes (MSB
// planes written by the first fetch or the prefetch, LSB planes only by a
// requant refetch); read one line of KPB keys per cycle for the qk unit.
// Depth = KvBuffers slots of MaxTokens rows: the slot's top bit is the bank
// (the running head-step's, or the next one's being prefetched;
// docs/rtl.md s5), the rest the row. A write stores wr_rows_i (1..WrRows)
// rows at slots wr_slot_i.. (one K request of the fetcher: a group of
// WrRows aligned slots within one line).
module kbuf #(
  parameter integer D     = 64,
  parameter integer KMsb  = 8,
  parameter integer KLsb  = 4,
  parameter integer Depth = 1024,  // rows = max active tokens
  parameter integer Lanes = 1,     // keys per qk beat (NQk / D)
  parameter integer SlotW = 10,
  parameter integer WrRows = 1     // rows a write (the fetcher's FetchRows; divides Lanes)
) (
  input  wire                   clk_i,
  input  wire                   wr_en_i,
  input  wire                   wr_lsb_i,
  input  wire [SlotW-1:0]       wr_slot_i,
  input  wire [$clog2(WrRows+1)-1:0] wr_rows_i,
  input  wire [WrRows*((KMsb > KLsb) ? KMsb : KLsb)*D-1:0] wr_planes_i,  // row r at [r*PW +: PW]
  input  wire [SlotW-((Lanes > 1) ? $clog2(Lanes) : 0)-1:0] rd_line_i,
  input  wire                   rd_full_i,
  output wire [Lanes*D*16-1:0]  rd_data_o
);
  planebuf #(.D(D), .MsbW(KMsb), .LsbW(KLsb), .Depth(Depth), .Lanes(Lanes), .SlotW(SlotW),
             .WrRows(WrRows)) u_buf (
    .clk_i(clk_i), .wr_en_i(wr_en_i), .wr_lsb_i(wr_lsb_i), .wr_slot_i(wr_slot_i), .wr_rows_i(wr_rows_i),
    .wr_planes_i(wr_planes_i), .rd_line_i(rd_line_i), .rd_full_i(rd_full_i), .rd_data_o(rd_data_o)
  );
endmodule
