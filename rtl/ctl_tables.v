// ctl_tables.v - the controller's token and head tables (storage only, no
// control): per token its depth (token t is in A_l iff depth > l), its
// importance and the active list of the layer; per head its depth and
// importance (docs/rtl.md s5). Plain register arrays read asynchronously,
// not reset: ctl_seq clears depth and importance at the start of a run.
// Each reader has its own read port; a table written by two control parts
// has two write ports, of which at most one is used in a cycle. The K
// walk's port reads FetchRows consecutive list entries (one K request);
// ctl_seq's list port writes an aligned group of FetchRows entries, each
// its own position (the list of A_0 is every present token).
//
// Token importance is kept as Lanes partial tables by token: probability
// stream lane j read-add-writes only table j, at its token, so each table
// has one write port (the run-start clear writes 0 into every table
// through it) and maps to a memory (LUT-RAM). The importance unit's add
// of lane j takes lane j's partial. A token's importance is the saturating
// sum of its Lanes partials: the spec's update (cmodel/importance.c
// sp_imp_add: min(MAX, acc + p), MAX = 2^SP_IMP_BITS - 1) on nonnegative
// addends gives min(MAX, sum of the addends) whatever the order or the
// grouping (once at MAX a sum stays there), so each partial is min(MAX,
// sum of its lane's p) and min(MAX, sum of the partials) equals
// min(MAX, sum of every p) of the token, the spec's value. The total is
// read by ctl_sel's gather (sel_imp_rd_o). Each table's write is
// registered one cycle (Yosys 0.23 cannot map a 1024-entry LUT-RAM whose
// write address is its read address); a read of the address being
// written takes the registered data (bypass), so reads see every earlier
// write as before.
`include "sp_defs.vh"
module ctl_tables #(
  parameter integer MaxTokens = 1024,  // token rows (power of two, >= 64)
  parameter integer Lanes     = 1,     // probability stream lanes (softmax lanes)
  parameter integer FetchRows = 1      // K walk rows a request (list entries read at once)
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  // clear at the start of a run (ctl_seq): depth = layers, importance = 0
  input  wire                    clr_we_i,      // token entry clr_a_i
  input  wire                    hclr_we_i,     // head entry clr_a_i[5:0]
  input  wire [TIW-1:0]          clr_a_i,
  input  wire [6:0]              clr_depth_i,
  // active list: ctl_seq builds it (port a: tok[a + j] = a + j, j < FetchRows,
  // a aligned), ctl_sel compacts it (port b)
  input  wire                    tok_a_we_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [TIW-1:0]          tok_a_wa_i,    // bits below FetchRows are zero (not read where FetchRows > 1)
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire                    tok_b_we_i,
  input  wire [TIW-1:0]          tok_b_wa_i,
  input  wire [TIW-1:0]          tok_b_wd_i,
  // token depth (ctl_sel prunes), token importance (ctl_smx accumulates:
  // lane j writes partial table j at its token st_tok_rd_o lane j)
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
  output wire [Lanes*`SP_IMP_BITS-1:0] st_imp_rd_o,  // lane j: partial j of st_tok_rd_o lane j
  input  wire [5:0]              st_himp_ra_i,
  output wire [`SP_IMP_BITS-1:0] st_himp_rd_o,
  // ctl_sel (token at the walk position, its depth and importance; head entry)
  input  wire [TIW-1:0]          sel_tok_ra_i,
  output wire [TIW-1:0]          sel_tok_rd_o,
  output wire [6:0]              sel_depth_rd_o,  // depth of sel_tok_rd_o
  output wire [`SP_IMP_BITS-1:0] sel_imp_rd_o,    // importance of sel_tok_rd_o (partials summed)
  input  wire [5:0]              sel_h_ra_i,
  output wire [6:0]              sel_hdepth_rd_o,
  output wire [`SP_IMP_BITS-1:0] sel_himp_rd_o
);
  localparam integer TIW = $clog2(MaxTokens);
  localparam integer IW  = `SP_IMP_BITS;
  localparam integer SW  = IW + $clog2(Lanes + 1);  // holds Lanes * MAX

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
  reg [6:0]              hdepth_q [0:63];
  reg [`SP_IMP_BITS-1:0] himp_q   [0:63];

  always @(posedge clk_i) begin
    if (clr_we_i)         depth_q[clr_a_i] <= clr_depth_i;
    else if (depth_we_i)  depth_q[depth_wa_i] <= depth_wd_i;
    if (hclr_we_i)        hdepth_q[clr_a_i[5:0]] <= clr_depth_i;
    else if (hdepth_we_i) hdepth_q[hdepth_wa_i] <= hdepth_wd_i;
    if (hclr_we_i)        himp_q[clr_a_i[5:0]] <= {`SP_IMP_BITS{1'b0}};
    else if (himp_we_i)   himp_q[himp_wa_i] <= himp_wd_i;
  end

  assign seq_hdepth_rd_o = hdepth_q[seq_hdepth_ra_i];
  // the active list: FetchRows banks by position (bank b: positions b mod
  // FetchRows), each with one write port: port a's aligned group writes
  // each bank once, port b one bank. NRd read ports, each reads every bank
  // at its address / FetchRows and takes the bank of its address
  localparam integer FRW = $clog2(FetchRows);
  localparam integer NRd = 3 + FetchRows + Lanes;
  wire [NRd*TIW-1:0] tok_ra = {sel_tok_ra_i, st_tok_ra_i, f_k_ra_i, f_v_ra_i, f_row_ra_i};
  wire [NRd*TIW-1:0] tok_rd;
  genvar tb, tr;
  generate
    if (FetchRows == 1) begin : gen_tok1
      reg [TIW-1:0] mem_q [0:MaxTokens-1];
      wire          we = tok_a_we_i || tok_b_we_i;
      wire [TIW-1:0] wa = tok_a_we_i ? tok_a_wa_i : tok_b_wa_i;
      always @(posedge clk_i)
        if (we) mem_q[wa] <= tok_a_we_i ? tok_a_wa_i : tok_b_wd_i;
      for (tr = 0; tr < NRd; tr = tr + 1) begin : gen_r
        assign tok_rd[tr*TIW +: TIW] = mem_q[tok_ra[tr*TIW +: TIW]];
      end
    end else begin : gen_tokb
      localparam integer BAW = TIW - FRW;  // address bits in a bank
      wire [NRd*FetchRows*TIW-1:0] brd;     // port tr's read of bank tb at (tr*FetchRows + tb)
      for (tb = 0; tb < FetchRows; tb = tb + 1) begin : gen_b
        localparam [FRW-1:0] TB = tb;
        reg  [TIW-1:0] mem_q [0:(MaxTokens/FetchRows)-1];
        wire           bwe = tok_b_we_i && tok_b_wa_i[FRW-1:0] == TB;
        wire           we  = tok_a_we_i || bwe;
        wire [BAW-1:0] wa  = tok_a_we_i ? tok_a_wa_i[TIW-1:FRW] : tok_b_wa_i[TIW-1:FRW];
        wire [TIW-1:0] wd  = tok_a_we_i ? {tok_a_wa_i[TIW-1:FRW], TB} : tok_b_wd_i;
        always @(posedge clk_i)
          if (we) mem_q[wa] <= wd;
        for (tr = 0; tr < NRd; tr = tr + 1) begin : gen_r
          assign brd[(tr*FetchRows + tb)*TIW +: TIW] = mem_q[tok_ra[tr*TIW + FRW +: BAW]];
        end
      end
      for (tr = 0; tr < NRd; tr = tr + 1) begin : gen_rs
        wire [FRW-1:0] bk = tok_ra[tr*TIW +: FRW];
        wire [FetchRows*TIW-1:0] pb = brd[tr*FetchRows*TIW +: FetchRows*TIW];  // its banks' reads
        assign tok_rd[tr*TIW +: TIW] = pb[bk*TIW +: TIW];
      end
    end
  endgenerate
  assign f_row_rd_o   = tok_rd[0 +: TIW];
  assign f_v_rd_o     = tok_rd[TIW +: TIW];
  assign f_k_rd_o     = tok_rd[2*TIW +: FetchRows*TIW];
  assign st_tok_rd_o  = tok_rd[(2+FetchRows)*TIW +: Lanes*TIW];
  assign sel_tok_rd_o = tok_rd[(2+FetchRows+Lanes)*TIW +: TIW];
  wire [Lanes*IW-1:0] sel_part;  // partials of sel_tok_rd_o
  genvar j;
  generate
    // partial table j: one write port (the clear, else lane j), registered
    for (j = 0; j < Lanes; j = j + 1) begin : gen_imp
      reg  [IW-1:0]  mem_q [0:MaxTokens-1];
      reg            we_q;
      reg  [TIW-1:0] wa_q;
      reg  [IW-1:0]  wd_q;
      wire [TIW-1:0] st_a = st_tok_rd_o[j*TIW +: TIW];
      always @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) we_q <= 1'b0;
        else         we_q <= clr_we_i || imp_we_i[j];
      end
      always @(posedge clk_i) begin
        wa_q <= clr_we_i ? clr_a_i : imp_wa_i[j*TIW +: TIW];
        wd_q <= clr_we_i ? {IW{1'b0}} : imp_wd_i[j*IW +: IW];
        if (we_q) mem_q[wa_q] <= wd_q;
      end
      assign st_imp_rd_o[j*IW +: IW] = (we_q && wa_q == st_a) ? wd_q : mem_q[st_a];
      assign sel_part[j*IW +: IW] = (we_q && wa_q == sel_tok_rd_o) ? wd_q : mem_q[sel_tok_rd_o];
    end
  endgenerate
  // the total: saturating sum of the partials
  reg [SW-1:0] sel_sum;
  integer sl;
  always @(*) begin
    sel_sum = {SW{1'b0}};
    for (sl = 0; sl < Lanes; sl = sl + 1)
      sel_sum = sel_sum + {{(SW-IW){1'b0}}, sel_part[sl*IW +: IW]};
  end
  assign sel_imp_rd_o = (sel_sum > {{(SW-IW){1'b0}}, {IW{1'b1}}}) ? {IW{1'b1}} : sel_sum[IW-1:0];
  assign st_himp_rd_o    = himp_q[st_himp_ra_i];
  assign sel_depth_rd_o  = depth_q[sel_tok_rd_o];
  assign sel_hdepth_rd_o = hdepth_q[sel_h_ra_i];
  assign sel_himp_rd_o   = himp_q[sel_h_ra_i];
endmodule
