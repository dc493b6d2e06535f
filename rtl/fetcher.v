// fetcher.v - memory read requests for q rows, logit scales and the MSB and
// LSB bit planes of K and V rows (docs/rtl.md s2, s3).
// The controller hands over one *request* at a time: a region, layer, head,
// destination slot and 1..FetchRows rows (row indices; a K walk's group of
// consecutive slots, every other request one row). The fetcher sends it
// in one cycle on a valid/ready bus, each row as its beat-0 address at the
// fixed address map
//   addr(beat b) = {region[2:0], layer[5:0], head[5:0], index[13:4], b[3:0] ^ swz, index[3:0], 5'b0}
// (the beat field holds beat ^ swz, swz = {region[0], head[1:0], 1'b0}:
// the bank swizzle; beat b of a row is at beat 0's address ^ (b << 9)), with
// the beat count of its region, and takes all the request's rows back in
// one response, in request order. A finished response is presented for
// one cycle on out_*; consumers always accept it. MSB and LSB planes are
// separate regions, so an LSB refetch reads only LSB beats.
// Port width: FetchRows rows (each up to RowBeats x 32 bytes) per cycle each way.
// Field widths, shifts and region codes: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module fetcher #(
  parameter integer D         = 64,  // head dimension of the hardware
  parameter integer KMsb      = 8,
  parameter integer KLsb      = 4,
  parameter integer VMsb      = 8,
  parameter integer VLsb      = 4,
  parameter integer SlotW     = 10,  // destination slot bits
  parameter integer FetchRows = 1,   // rows a request and a response (hardware.fetch_rows)
  parameter integer MaxOut    = `SP_FETCH_MAX_OUT  // requests in flight (power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // requests from the controller
  input  wire                 row_valid_i,
  output wire                 row_ready_o,
  input  wire [`SP_ADDR_REGION_BITS-1:0] row_region_i,
  input  wire [`SP_ADDR_LAYER_BITS-1:0]  row_layer_i,
  input  wire [`SP_ADDR_HEAD_BITS-1:0]   row_head_i,
  input  wire [FetchRows*`SP_ADDR_INDEX_BITS-1:0] row_index_i,  // row r's index at [r*14 +: 14]
  input  wire [RNW-1:0]       row_rows_i,   // rows of the request, 1..FetchRows
  input  wire [SlotW-1:0]     row_slot_i,   // row 0's slot; row r goes to slot + r
  // memory request / response (responses in request order, never stalled)
  output wire                 mem_req_valid_o,
  input  wire                 mem_req_ready_i,
  output wire [FetchRows*`SP_ADDR_BITS-1:0] mem_req_addr_o,  // beat 0 of row r at [r*40 +: 40]
  output wire [`SP_ADDR_BEAT_FIELD_BITS:0] mem_req_beats_o,  // beats of each row (1..16)
  output wire [RNW-1:0]       mem_req_rows_o,                // rows of the request
  input  wire                 mem_rsp_valid_i,
  input  wire [FetchRows*RowBeats*`SP_ADDR_BEAT_BITS-1:0] mem_rsp_data_i,  // row r, beat b at [(r*RowBeats+b)*256 +: 256]
  // assembled rows
  output wire                 out_valid_o,
  output wire [`SP_ADDR_REGION_BITS-1:0] out_region_o,
  output wire [SlotW-1:0]     out_slot_o,
  output wire [RNW-1:0]       out_rows_o,
  output wire [FetchRows*RowBeats*`SP_ADDR_BEAT_BITS-1:0] out_row_o,  // q rows are the widest
  output wire                 idle_o,       // nothing issued or in flight
  output wire [63:0]          beats_o       // request beats accepted
);
  // beats per row of each region (rows are padded to whole beats)
  localparam integer BB = `SP_ADDR_BEAT_BITS;
  localparam integer BeatsQ  = (`SP_ELEM_BITS * D + BB - 1) / BB;
  localparam integer BeatsKM = (KMsb * D + BB - 1) / BB;
  localparam integer BeatsKL = (KLsb * D + BB - 1) / BB;
  localparam integer BeatsVM = (VMsb * D + BB - 1) / BB;
  localparam integer BeatsVL = (VLsb * D + BB - 1) / BB;
  localparam integer RowBeats = BeatsQ;  // q rows are the widest (16 bits)
  localparam integer RNW = $clog2(FetchRows + 1);
  localparam integer OutW = $clog2(MaxOut);
  // address fields (sp_defs.vh): the request base is {region, layer, head}
  localparam integer RegW  = `SP_ADDR_REGION_BITS;
  localparam integer IdxW  = `SP_ADDR_INDEX_BITS;
  localparam integer IdxLo = `SP_ADDR_IDX_LO_BITS;
  localparam integer BaseW = RegW + `SP_ADDR_LAYER_BITS + `SP_ADDR_HEAD_BITS;
  localparam integer BeatW = `SP_ADDR_BEAT_FIELD_BITS + 1;  // a beat count 1..2^field
  localparam integer FieldW = `SP_ADDR_BEAT_FIELD_BITS;

  generate
    if (RowBeats > `SP_ADDR_ROW_BEATS_MAX) begin : gen_chk_beats
      $error("fetcher: a row must fit the address map's beat field (D <= SP_MAX_D)");
    end
    if (MaxOut < 2 || (MaxOut & (MaxOut - 1)) != 0) begin : gen_chk_out
      $error("fetcher: MaxOut must be a power of two >= 2");
    end
    if (SlotW < 1 || SlotW > IdxW) begin : gen_chk_slot
      $error("fetcher: SlotW must be 1..SP_ADDR_INDEX_BITS");
    end
    if (FetchRows < 1 || (FetchRows & (FetchRows - 1)) != 0 || FetchRows > 64) begin : gen_chk_rows
      $error("fetcher: FetchRows must be a power of two, 1..64 (hardware.fetch_rows)");
    end
  endgenerate

  function automatic [BeatW-1:0] beats_of(input [RegW-1:0] region);
    begin
      case (region)
        `SP_REGION_Q:     beats_of = BeatsQ[BeatW-1:0];
        `SP_REGION_K_MSB: beats_of = BeatsKM[BeatW-1:0];
        `SP_REGION_K_LSB: beats_of = BeatsKL[BeatW-1:0];
        `SP_REGION_V_MSB: beats_of = BeatsVM[BeatW-1:0];
        `SP_REGION_V_LSB: beats_of = BeatsVL[BeatW-1:0];
        default:          beats_of = {{(BeatW-1){1'b0}}, 1'b1};  // scale table
      endcase
    end
  endfunction

  // ---- issue side: one request register
  reg         req_valid_q;
  reg  [BaseW-1:0] req_base_q;  // {region, layer, head}
  reg  [FetchRows*IdxW-1:0] req_idx_q;
  reg  [RNW-1:0] req_rows_q;
  reg  [63:0] beats_q;

  // in-flight request descriptors (responses come back in order)
  reg  [RegW-1:0]  fifo_region_q [0:MaxOut-1];
  reg  [SlotW-1:0] fifo_slot_q   [0:MaxOut-1];
  reg  [RNW-1:0]   fifo_rows_q   [0:MaxOut-1];
  reg  [OutW:0]    fifo_wr_q, fifo_rd_q;
  wire [OutW:0]    fifo_fill = fifo_wr_q - fifo_rd_q;
  wire             fifo_full = fifo_fill[OutW];

  wire req_fire  = req_valid_q && mem_req_ready_i;
  assign row_ready_o = (!req_valid_q || mem_req_ready_i) && !fifo_full;
  wire row_fire  = row_valid_i && row_ready_o;

  assign mem_req_valid_o = req_valid_q;
  // the 4 low index bits sit right above the beat offset, so consecutive
  // tokens go to different DRAM channels under the burst|channel|bank|
  // column|row map of cmodel/dram.c; the beat field (the bank bits) of
  // beat 0 is the swizzle {region[0], head[1:0], 1'b0}: the two beats of a
  // row alternate banks, and the rows of the heads and planes in flight
  // at once (V walk, K walk, prefetch) sit in other banks (rtl/addr_swz.v)
  wire [RegW-1:0] req_region = req_base_q[BaseW-1 -: RegW];
  wire [FieldW-1:0] req_swz;  // beat 0's beat field
  addr_swz u_swz (
    .region_lsb_i(req_region[0]), .head_i(req_base_q[`SP_ADDR_SWZ_HEAD_BITS-1:0]),
    .beat_i({FieldW{1'b0}}), .field_o(req_swz)
  );
  genvar ga;
  generate
    for (ga = 0; ga < FetchRows; ga = ga + 1) begin : gen_addr
      wire [IdxW-1:0] idx = req_idx_q[ga*IdxW +: IdxW];
      assign mem_req_addr_o[ga*`SP_ADDR_BITS +: `SP_ADDR_BITS] =
        {{`SP_ADDR_PAD_BITS{1'b0}}, req_base_q, idx[IdxW-1:IdxLo], req_swz, idx[IdxLo-1:0],
         {`SP_ADDR_OFFSET_BITS{1'b0}}};
    end
  endgenerate
  assign mem_req_beats_o = beats_of(req_region);
  assign mem_req_rows_o  = req_rows_q;
  // beats of the request: the row's beats times its rows (a BeatW x RNW
  // product, widened after the multiply)
  wire [BeatW+RNW-1:0] req_nb = {{RNW{1'b0}}, mem_req_beats_o} * {{BeatW{1'b0}}, req_rows_q};
  wire [63:0] req_beats = {{(64-BeatW-RNW){1'b0}}, req_nb};

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      req_valid_q <= 1'b0;
      req_base_q  <= {BaseW{1'b0}};
      req_idx_q   <= {(FetchRows*IdxW){1'b0}};
      req_rows_q  <= {RNW{1'b0}};
      beats_q     <= 64'd0;
      fifo_wr_q   <= {(OutW+1){1'b0}};
    end else begin
      if (req_fire) begin
        beats_q     <= beats_q + req_beats;
        req_valid_q <= 1'b0;
      end
      if (row_fire) begin
        req_valid_q <= 1'b1;
        req_base_q  <= {row_region_i, row_layer_i, row_head_i};
        req_idx_q   <= row_index_i;
        req_rows_q  <= row_rows_i;
        fifo_wr_q   <= fifo_wr_q + 1'b1;
      end
    end
  end

  always @(posedge clk_i) begin
    if (row_fire) begin
      fifo_region_q[fifo_wr_q[OutW-1:0]] <= row_region_i;
      fifo_slot_q[fifo_wr_q[OutW-1:0]]   <= row_slot_i;
      fifo_rows_q[fifo_wr_q[OutW-1:0]]   <= row_rows_i;
    end
  end

  // ---- response side: the rows of the oldest descriptor
  reg              out_valid_q;
  reg  [RegW-1:0]  out_region_q;
  reg  [SlotW-1:0] out_slot_q;
  reg  [RNW-1:0]   out_rows_q;
  reg  [FetchRows*RowBeats*BB-1:0] row_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      fifo_rd_q    <= {(OutW+1){1'b0}};
      out_valid_q  <= 1'b0;
      out_region_q <= {RegW{1'b0}};
      out_slot_q   <= {SlotW{1'b0}};
      out_rows_q   <= {RNW{1'b0}};
    end else begin
      out_valid_q <= mem_rsp_valid_i;
      if (mem_rsp_valid_i) begin
        fifo_rd_q    <= fifo_rd_q + 1'b1;
        out_region_q <= fifo_region_q[fifo_rd_q[OutW-1:0]];
        out_slot_q   <= fifo_slot_q[fifo_rd_q[OutW-1:0]];
        out_rows_q   <= fifo_rows_q[fifo_rd_q[OutW-1:0]];
      end
    end
  end

  // row storage: not reset (a datapath register)
  always @(posedge clk_i) begin
    if (mem_rsp_valid_i)
      row_q <= mem_rsp_data_i;
  end

  assign out_valid_o  = out_valid_q;
  assign out_region_o = out_region_q;
  assign out_slot_o   = out_slot_q;
  assign out_rows_o   = out_rows_q;
  assign out_row_o    = row_q;
  assign idle_o       = !req_valid_q && fifo_fill == {(OutW+1){1'b0}} && !out_valid_q;
  assign beats_o      = beats_q;
endmodule
