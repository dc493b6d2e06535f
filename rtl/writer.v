// writer.v - writes each head output back to memory (region 6 of the
// address map, docs/rtl.md s2): the controller hands over one output
// vector (D signed 16-bit elements) with its layer, head and row index; the
// writer sends it as ceil(16 D / 256) posted write beats on a valid/ready
// bus, at the same addresses a q row of that index has in region 1.
module writer #(
  parameter integer D = 64  // head dimension of the hardware
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // one output vector from the controller
  input  wire                 vec_valid_i,
  output wire                 vec_ready_o,
  input  wire [5:0]           vec_layer_i,
  input  wire [5:0]           vec_head_i,
  input  wire [13:0]          vec_index_i,
  input  wire [D*16-1:0]      vec_data_i,
  // memory write port (posted writes, one 32-byte beat per accepted cycle)
  output wire                 mem_wr_valid_o,
  input  wire                 mem_wr_ready_i,
  output wire [39:0]          mem_wr_addr_o,
  output wire [255:0]         mem_wr_data_o,
  output wire                 idle_o,
  output wire [63:0]          beats_o      // write beats sent
);
  localparam integer Beats = (16 * D + 255) / 256;
  localparam integer RowW  = Beats * 256;
  localparam integer LastBeatI = Beats - 1;
  localparam [4:0]   LastBeat = LastBeatI[4:0];
  localparam [2:0]   ROut = 3'd6;

  generate
    if (D < 1 || D > 256) begin : gen_chk_d
      $error("writer: D must be 1..256");
    end
  endgenerate

  reg             busy_q;
  reg  [4:0]      beat_q;
  reg  [21:0]     base_q;    // {layer, head, index[13:4]}; index[3:0] below
  reg  [3:0]      idxlo_q;
  reg  [RowW-1:0] row_q;
  reg  [63:0]     beats_q;

  wire wr_fire  = busy_q && mem_wr_ready_i;
  wire last     = beat_q == LastBeat;
  assign vec_ready_o = !busy_q;
  wire vec_fire = vec_valid_i && !busy_q;

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q  <= 1'b0;
      beat_q  <= 5'd0;
      base_q  <= 22'd0;
      idxlo_q <= 4'd0;
      beats_q <= 64'd0;
    end else begin
      if (wr_fire) begin
        beats_q <= beats_q + 64'd1;
        beat_q  <= beat_q + 5'd1;
        if (last)
          busy_q <= 1'b0;
      end
      if (vec_fire) begin
        busy_q  <= 1'b1;
        beat_q  <= 5'd0;
        base_q  <= {vec_layer_i, vec_head_i, vec_index_i[13:4]};
        idxlo_q <= vec_index_i[3:0];
      end
    end
  end

  // the vector, padded to whole beats (a datapath register, not reset)
  wire [RowW-1:0] vec_row;
  generate
    if (RowW > D * 16) begin : gen_pad
      assign vec_row = {{(RowW - D*16){1'b0}}, vec_data_i};
    end else begin : gen_nopad
      assign vec_row = vec_data_i;
    end
  endgenerate
  always @(posedge clk_i) begin
    if (vec_fire)
      row_q <= vec_row;
  end

  // same field order as the fetcher: {region, layer, head, index[13:4], beat, index[3:0], 5'b0}
  assign mem_wr_valid_o = busy_q;
  assign mem_wr_addr_o  = {2'b0, ROut, base_q, beat_q[3:0], idxlo_q, 5'd0};
  assign mem_wr_data_o  = row_q[beat_q[3:0]*256 +: 256];
  assign idle_o         = !busy_q;
  assign beats_o        = beats_q;
endmodule
