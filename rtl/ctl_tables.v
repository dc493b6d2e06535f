// ctl_tables.v - the controller's token and head tables (storage only, no
// control): per token its depth (token t is in A_l iff depth > l), its
// importance and the active list of the layer; per head its depth and
// importance (docs/rtl.md s5). Plain register arrays read asynchronously,
// not reset: ctl_seq clears depth and importance at the start of a run.
// Each reader has its own read port; a table written by two control parts
// has two write ports, of which at most one is used in a cycle. The
// probability stream's token importance has Lanes read-add-write lanes
// (one per softmax lane; the lanes of a cycle name distinct tokens); the K
// walk's port reads FetchRows consecutive list entries (one K request);
// ctl_seq's list port writes an aligned group of FetchRows entries, each
// its own position (the list of A_0 is every present token).
`include "sp_defs.vh"
module ctl_tables #(
  parameter integer MaxTokens = 1024,  // token rows (power of two, >= 64)
  parameter integer Lanes     = 1,     // probability stream lanes (softmax lanes)
  parameter integer FetchRows = 1      // K walk rows a request (list entries read at once)
) (
  input  wire                    clk_i,
  // clear at the start of a run (ctl_seq): depth = layers, importance = 0
  input  wire                    clr_we_i,      // token entry clr_a_i
  input  wire                    hclr_we_i,     // head entry clr_a_i[5:0]
  input  wire [TIW-1:0]          clr_a_i,
  input  wire [6:0]              clr_depth_i,
  // active list: ctl_seq builds it (port a: tok[a + j] = a + j, j < FetchRows,
  // a aligned), ctl_sel compacts it (port b)
  input  wire                    tok_a_we_i,
  input  wire [TIW-1:0]          tok_a_wa_i,
  input  wire                    tok_b_we_i,
  input  wire [TIW-1:0]          tok_b_wa_i,
  input  wire [TIW-1:0]          tok_b_wd_i,
  // token depth (ctl_sel prunes), token importance (ctl_front accumulates)
  input  wire                    depth_we_i,
  input  wire [TIW-1:0]          depth_wa_i,
  input  wire [6:0]              depth_wd_i,
  input  wire [Lanes-1:0]        imp_we_i,      // per lane
  input  wire [Lanes*TIW-1:0]    imp_wa_i,
  input  wire [Lanes*`SP_IMP_BITS-1:0] imp_wd_i,
  // head depth (ctl_sel prunes), head importance (ctl_back accumulates)
  input  wire                    hdepth_we_i,
  input  wire [5:0]              hdepth_wa_i,
  input  wire [6:0]              hdepth_wd_i,
  input  wire                    himp_we_i,
  input  wire [5:0]              himp_wa_i,
  input  wire [`SP_IMP_BITS-1:0] himp_wd_i,
  // read ports: ctl_seq (head scan)
  input  wire [5:0]              seq_hdepth_ra_i,
  output wire [6:0]              seq_hdepth_rd_o,
  // ctl_fetch (query row token, K scan token, kept value token)
  input  wire [TIW-1:0]          f_row_ra_i,
  output wire [TIW-1:0]          f_row_rd_o,
  input  wire [FetchRows*TIW-1:0] f_k_ra_i,    // per row of the request
  output wire [FetchRows*TIW-1:0] f_k_rd_o,
  input  wire [TIW-1:0]          f_v_ra_i,
  output wire [TIW-1:0]          f_v_rd_o,
  // ctl_front (token of the probability stream, its importance), ctl_back (head importance)
  input  wire [Lanes*TIW-1:0]    st_tok_ra_i,    // per lane
  output wire [Lanes*TIW-1:0]    st_tok_rd_o,
  output wire [Lanes*`SP_IMP_BITS-1:0] st_imp_rd_o,  // importance of st_tok_rd_o
  input  wire [5:0]              st_himp_ra_i,
  output wire [`SP_IMP_BITS-1:0] st_himp_rd_o,
  // ctl_sel (token at the walk position, its depth and importance; head entry)
  input  wire [TIW-1:0]          sel_tok_ra_i,
  output wire [TIW-1:0]          sel_tok_rd_o,
  output wire [6:0]              sel_depth_rd_o,  // depth of sel_tok_rd_o
  output wire [`SP_IMP_BITS-1:0] sel_imp_rd_o,    // importance of sel_tok_rd_o
  input  wire [5:0]              sel_h_ra_i,
  output wire [6:0]              sel_hdepth_rd_o,
  output wire [`SP_IMP_BITS-1:0] sel_himp_rd_o
);
  localparam integer TIW = $clog2(MaxTokens);

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_tables: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (Lanes < 1 || Lanes > MaxTokens) begin : gen_chk_lanes
      $error("ctl_tables: Lanes must be 1..MaxTokens");
    end
    if (FetchRows < 1 || FetchRows > MaxTokens) begin : gen_chk_rows
      $error("ctl_tables: FetchRows must be 1..MaxTokens");
    end
  endgenerate

  reg [6:0]              depth_q  [0:MaxTokens-1];
  reg [`SP_IMP_BITS-1:0] imp_q    [0:MaxTokens-1];
  reg [TIW-1:0]          tok_q    [0:MaxTokens-1];
  reg [6:0]              hdepth_q [0:63];
  reg [`SP_IMP_BITS-1:0] himp_q   [0:63];

  integer wl;
  always @(posedge clk_i) begin
    if (clr_we_i)         depth_q[clr_a_i] <= clr_depth_i;
    else if (depth_we_i)  depth_q[depth_wa_i] <= depth_wd_i;
    if (clr_we_i)         imp_q[clr_a_i] <= {`SP_IMP_BITS{1'b0}};
    else
      for (wl = 0; wl < Lanes; wl = wl + 1)
        if (imp_we_i[wl]) imp_q[imp_wa_i[wl*TIW +: TIW]] <= imp_wd_i[wl*`SP_IMP_BITS +: `SP_IMP_BITS];
    if (tok_a_we_i)
      for (wl = 0; wl < FetchRows; wl = wl + 1)
        tok_q[tok_a_wa_i | wl[TIW-1:0]] <= tok_a_wa_i | wl[TIW-1:0];
    else if (tok_b_we_i)  tok_q[tok_b_wa_i] <= tok_b_wd_i;
    if (hclr_we_i)        hdepth_q[clr_a_i[5:0]] <= clr_depth_i;
    else if (hdepth_we_i) hdepth_q[hdepth_wa_i] <= hdepth_wd_i;
    if (hclr_we_i)        himp_q[clr_a_i[5:0]] <= {`SP_IMP_BITS{1'b0}};
    else if (himp_we_i)   himp_q[himp_wa_i] <= himp_wd_i;
  end

  assign seq_hdepth_rd_o = hdepth_q[seq_hdepth_ra_i];
  assign f_row_rd_o      = tok_q[f_row_ra_i];
  assign f_v_rd_o        = tok_q[f_v_ra_i];
  genvar j;
  generate
    for (j = 0; j < FetchRows; j = j + 1) begin : gen_fk
      assign f_k_rd_o[j*TIW +: TIW] = tok_q[f_k_ra_i[j*TIW +: TIW]];
    end
    for (j = 0; j < Lanes; j = j + 1) begin : gen_st
      assign st_tok_rd_o[j*TIW +: TIW] = tok_q[st_tok_ra_i[j*TIW +: TIW]];
      assign st_imp_rd_o[j*`SP_IMP_BITS +: `SP_IMP_BITS] = imp_q[st_tok_rd_o[j*TIW +: TIW]];
    end
  endgenerate
  assign st_himp_rd_o    = himp_q[st_himp_ra_i];
  assign sel_tok_rd_o    = tok_q[sel_tok_ra_i];
  assign sel_depth_rd_o  = depth_q[sel_tok_rd_o];
  assign sel_imp_rd_o    = imp_q[sel_tok_rd_o];
  assign sel_hdepth_rd_o = hdepth_q[sel_h_ra_i];
  assign sel_himp_rd_o   = himp_q[sel_h_ra_i];
endmodule
