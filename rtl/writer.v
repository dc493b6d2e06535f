// writer.v - writes each head output back to memory (region 6 of the
// address map, docs/rtl.md s2): the controller hands over one output
// vector (D signed 16-bit elements) with its layer, head and row index; the
// writer sends it as ceil(16 D / 256) posted write beats on a valid/ready
// bus, at the same addresses a q row of that index has in region 1.
// Field widths and the region code: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module writer #(
  parameter integer D = 64  // head dimension of the hardware
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // one output vector from the controller
  input  wire                 vec_valid_i,
  output wire                 vec_ready_o,
  input  wire [`SP_ADDR_LAYER_BITS-1:0] vec_layer_i,
  input  wire [`SP_ADDR_HEAD_BITS-1:0]  vec_head_i,
  input  wire [`SP_ADDR_INDEX_BITS-1:0] vec_index_i,
  input  wire [D*`SP_ELEM_BITS-1:0] vec_data_i,
  // memory write port (posted writes, one 32-byte beat per accepted cycle)
  output wire                 mem_wr_valid_o,
  input  wire                 mem_wr_ready_i,
  output wire [`SP_ADDR_BITS-1:0] mem_wr_addr_o,
  output wire [`SP_ADDR_BEAT_BITS-1:0] mem_wr_data_o,
  output wire                 idle_o,
  output wire [63:0]          beats_o      // write beats sent
);
  localparam integer BB    = `SP_ADDR_BEAT_BITS;
  localparam integer EW    = `SP_ELEM_BITS;
  localparam integer Beats = (EW * D + BB - 1) / BB;
  localparam integer RowW  = Beats * BB;
  localparam integer BeatW = `SP_ADDR_BEAT_FIELD_BITS;
  localparam integer IdxLo = `SP_ADDR_IDX_LO_BITS;
  localparam integer IdxW  = `SP_ADDR_INDEX_BITS;
  localparam integer BaseW = `SP_ADDR_LAYER_BITS + `SP_ADDR_HEAD_BITS + IdxW - IdxLo;
  localparam integer LastBeatI = Beats - 1;
  localparam [BeatW:0] LastBeat = LastBeatI[BeatW:0];
  localparam [`SP_ADDR_REGION_BITS-1:0] ROut = `SP_REGION_OUT;

  generate
    if (D < 1 || D > `SP_MAX_D) begin : gen_chk_d
      $error("writer: D must be 1..SP_MAX_D");
    end
  endgenerate

  reg             busy_q;
  reg  [BeatW:0]  beat_q;
  reg  [BaseW-1:0] base_q;   // {layer, head, index[13:4]}; index[3:0] below
  reg  [IdxLo-1:0] idxlo_q;
  reg  [RowW-1:0] row_q;
  reg  [63:0]     beats_q;

  wire wr_fire  = busy_q && mem_wr_ready_i;
  wire last     = beat_q == LastBeat;
  assign vec_ready_o = !busy_q;
  wire vec_fire = vec_valid_i && !busy_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      beat_q  <= {(BeatW+1){1'b0}};
      base_q  <= {BaseW{1'b0}};
      idxlo_q <= {IdxLo{1'b0}};
      beats_q <= 64'd0;
    end else begin
      if (wr_fire) begin
        beats_q <= beats_q + 64'd1;
        beat_q  <= beat_q + 1'b1;
        if (last)
          busy_q <= 1'b0;
      end
      if (vec_fire) begin
        busy_q  <= 1'b1;
        beat_q  <= {(BeatW+1){1'b0}};
        base_q  <= {vec_layer_i, vec_head_i, vec_index_i[IdxW-1:IdxLo]};
        idxlo_q <= vec_index_i[IdxLo-1:0];
      end
    end
  end

  // the vector, padded to whole beats (a datapath register, not reset)
  wire [RowW-1:0] vec_row;
  generate
    if (RowW > D * EW) begin : gen_pad
      assign vec_row = {{(RowW - D*EW){1'b0}}, vec_data_i};
    end else begin : gen_nopad
      assign vec_row = vec_data_i;
    end
  endgenerate
  always @(posedge clk_i) begin
    if (vec_fire)
      row_q <= vec_row;
  end

  // same fields as the fetcher: {region, layer, head, index[13:4], beat ^ swz, index[3:0], 5'b0},
  // swz = {region[0], head[1:0], 1'b0} (the bank swizzle, rtl/addr_swz.v; docs/rtl.md s2)
  wire [BeatW-1:0] beat_field;
  addr_swz u_swz (
    .region_lsb_i(ROut[0]), .head_i(base_q[IdxW-IdxLo +: `SP_ADDR_SWZ_HEAD_BITS]),  // head[1:0]
    .beat_i(beat_q[BeatW-1:0]), .field_o(beat_field)
  );
  assign mem_wr_valid_o = busy_q;
  assign mem_wr_addr_o  = {{`SP_ADDR_PAD_BITS{1'b0}}, ROut, base_q, beat_field, idxlo_q,
                            {`SP_ADDR_OFFSET_BITS{1'b0}}};
  assign mem_wr_data_o  = row_q[beat_q[BeatW-1:0]*BB +: BB];
  assign idle_o         = !busy_q;
  assign beats_o        = beats_q;
endmodule
