// ctl_seq.v - controller sequencer: the walk over iterations, layers,
// active heads and query rows (docs/rtl.md s5; C: cmodel/controller.c
// sp_run_model). It clears the token and head tables, lists the active
// tokens A_0 at the start of each iteration, ListRows a cycle (A_l+1 is a
// subset of A_l: a layer end keeps the list, or ctl_sel's pruning walk
// compacts it and hands its length over), starts each head-step in
// ctl_front (and its first row requests in ctl_fetch) and hands each
// layer end to ctl_sel.
// A head-step's front end starts as soon as the previous one's has handed
// over to ctl_smx (its requant decision made: four head-steps in flight,
// front end, ctl_smx, ctl_vsel, ctl_back); at a layer end ctl_smx, ctl_vsel
// and the back end (bk_idle_i: all idle) drain before the pruning selection, and the next layer's first front end
// waits for the pruning (its active set is not known before): the front end
// is held for both (prune_hold_o). While a head-step's front end runs, a
// look-ahead names the next head-step of the layer (the next query row of
// the head, else the next active head: one head a cycle on the head-depth
// port, free in SqStep) for ctl_fetch's K prefetch (pf_ok_o, pf_head_o,
// pf_layer_o). Past the last head it goes on into the next layer (its first
// active head) only where no pruning selection runs at this layer end and
// the iteration goes on: A_l+1 = A_l and H_l+1 = H_l there (see xl_ok).
`include "sp_defs.vh"
module ctl_seq #(
  parameter integer MaxTokens = 1024,  // token rows (power of two, >= 64)
  parameter integer ListRows  = 1      // list entries written a cycle (power of two)
) (
  input  wire           clk_i,
  input  wire           rst_ni,
  input  wire           start_i,
  output wire           busy_o,
  output wire           done_o,
  output wire           init_o,        // table clear phase
  output reg  [3:0]     phase_o,       // phase of the cycle when the sequencer owns it, else 0
  output wire           prune_hold_o,  // the front end is held: back-end drain or pruning at a layer end
  input  wire           cfg_decode_i,
  input  wire [6:0]     cfg_layers_i,
  input  wire [6:0]     cfg_heads_i,
  input  wire [14:0]    cfg_ctx_i,
  input  wire [14:0]    cfg_iters_i,
  input  wire [6:0]     cfg_token_start_i,  // first layer end with token pruning
  input  wire [6:0]     cfg_head_start_i,   // first layer end with head pruning
  // position of the walk
  output wire [13:0]    it_o,
  output wire [6:0]     l_o,
  output wire [5:0]     h_o,
  output wire [TIW-1:0] ri_o,          // query row position (encoder)
  output wire [TCW-1:0] n_o,           // |A_l|
  // head-step start (ctl_front, ctl_fetch): one-cycle pulses
  output reg            step_start_o,  // a head-step of query row ri_o begins
  output reg            step_scale_o,  // with step_start_o: first row of the head (scale row first)
  input  wire           step_done_i,   // its front end hands over (to ctl_smx)
  input  wire           bk_idle_i,     // ctl_smx, ctl_vsel and the back end hold no head-step
  output wire           pf_ok_o,       // the next head-step is known
  output wire [5:0]     pf_head_o,     // ... its head
  output wire [5:0]     pf_layer_o,    // ... its layer (this one, or the next: no pruning between)
  // layer-end pruning hand-off (ctl_sel)
  output reg            prune_start_o,
  input  wire           prune_done_i,
  input  wire           list_we_i,     // ctl_sel compacted the list to A_l+1 ...
  input  wire [TCW-1:0] list_n_i,      // ... of this length
  input  wire           wb_idle_i,     // the writer holds no output
  // token and head tables (ctl_tables)
  output reg            clr_we_o,
  output reg            hclr_we_o,
  output wire [TIW-1:0] clr_a_o,
  output reg            tok_we_o,      // list tokens clr_a_o .. + ListRows - 1 at those positions
  output wire [5:0]     hdepth_ra_o,
  input  wire [6:0]     hdepth_rd_i
);
  localparam integer TIW = $clog2(MaxTokens);
  localparam integer TCW = TIW + 1;
  localparam [14:0]  LR = ListRows[14:0];

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_seq: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (ListRows < 1 || (ListRows & (ListRows - 1)) != 0 || ListRows > MaxTokens) begin : gen_chk_rows
      $error("ctl_seq: ListRows must be a power of two, at most MaxTokens");
    end
  endgenerate

  localparam [3:0] PhScan = 4'd1, PhOut = 4'd9;   // docs/rtl.md s6

  localparam [3:0]
    SqIdle    = 4'd0,
    SqInit    = 4'd1,
    SqList    = 4'd2,
    SqHScan   = 4'd3,
    SqStep    = 4'd4,
    SqNextRow = 4'd5,
    SqPrune   = 4'd6,
    SqNextL   = 4'd7,
    SqDrain   = 4'd8,
    SqDone    = 4'd9,
    SqBDrain  = 4'd10;
  // look-ahead for the prefetch
  localparam [1:0]
    LaIdle  = 2'd0,
    LaScan  = 2'd1,
    LaFound = 2'd2;

  reg [3:0]     state_q, state_d;
  reg [14:0]    it_q, it_d;
  reg [6:0]     l_q, l_d;
  reg [6:0]     h_q, h_d;
  reg [TCW-1:0] ri_q, ri_d;
  reg [TCW-1:0] n_q, n_d;
  reg [14:0]    cnt_q, cnt_d;        // clear / list position
  reg [1:0]     la_q, la_d;
  reg [6:0]     lah_q, lah_d;        // look-ahead head
  reg           lax_q, lax_d;        // the look-ahead is in the next layer

  wire [14:0] npres = cfg_decode_i ? (cfg_ctx_i + it_q + 15'd1) : cfg_ctx_i;  // tokens present
  wire        last_layer = (l_q + 7'd1 == cfg_layers_i);
  // no pruning selection at this layer end (ctl_sel's SlTokChk and SlHeadChk
  // both skip) and not the iteration's end: no depth is written there, so
  // A_l+1 = A_l (the list and n stay as they are) and H_l+1 = H_l; the
  // next layer's first head-step is known now
  wire        xl_ok = !last_layer && l_q < cfg_token_start_i && l_q < cfg_head_start_i;

  always @(*) begin
    state_d = state_q;  it_d = it_q;  l_d = l_q;  h_d = h_q;  ri_d = ri_q;  n_d = n_q;  cnt_d = cnt_q;
    step_start_o = 1'b0;  step_scale_o = 1'b0;  prune_start_o = 1'b0;
    clr_we_o = 1'b0;  hclr_we_o = 1'b0;  tok_we_o = 1'b0;
    case (state_q)
      // wait for the start pulse
      SqIdle: begin
        if (start_i) begin
          state_d = SqInit;
          cnt_d = 15'd0;
        end
      end
      // clear the token and head tables, one entry a cycle (reported apart)
      SqInit: begin
        clr_we_o = 1'b1;
        hclr_we_o = cnt_q < 15'd64;
        cnt_d = cnt_q + 15'd1;
        if (cnt_q == MaxTokens[14:0] - 15'd1) begin
          state_d = SqList;
          it_d = 15'd0;
          l_d = 7'd0;
          cnt_d = 15'd0;
          n_d = {TCW{1'b0}};
        end
      end
      // list A_0 (layer 0 of an iteration): every present token (depth
      // > 0: a pruned token has depth l + 1 >= 1), in index order, an
      // aligned group of ListRows a cycle (entries past npres unused)
      SqList: begin
        if (cnt_q >= npres) begin
          state_d = SqHScan;
          h_d = 7'd0;
          n_d = npres[TCW-1:0];
        end else begin
          tok_we_o = 1'b1;
          cnt_d = cnt_q + LR;
        end
      end
      // find the next active head; after the last head, the layer end
      SqHScan: begin
        if (h_q == cfg_heads_i) begin
          state_d = SqBDrain;
        end else if (hdepth_rd_i > l_q) begin
          state_d = SqStep;
          step_start_o = 1'b1;
          step_scale_o = 1'b1;
          ri_d = {TCW{1'b0}};
        end else begin
          h_d = h_q + 7'd1;
        end
      end
      // a head-step's front end runs (ctl_front, ctl_fetch); the previous
      // head-step's back end may run beside it
      SqStep: begin
        if (step_done_i)
          state_d = SqNextRow;
      end
      // the next query row of the head (encoder), else the next head
      SqNextRow: begin
        if (!cfg_decode_i && ri_q + 1'b1 != n_q) begin
          ri_d = ri_q + 1'b1;
          state_d = SqStep;
          step_start_o = 1'b1;
        end else begin
          h_d = h_q + 7'd1;
          state_d = SqHScan;
        end
      end
      // layer end: the back end finishes the layer's last head-step
      SqBDrain: begin
        if (bk_idle_i) begin
          state_d = SqPrune;
          prune_start_o = 1'b1;
        end
      end
      // cascade token and head pruning of the layer end runs (ctl_sel);
      // token pruning hands over |A_l+1| (the list compacted in its walk)
      SqPrune: begin
        if (list_we_i)
          n_d = list_n_i;
        if (prune_done_i)
          state_d = SqNextL;
      end
      // the next layer (its list is A_l+1 already: the head scan), else
      // the next iteration (list A_0), else drain
      SqNextL: begin
        cnt_d = 15'd0;
        if (!last_layer) begin
          l_d = l_q + 7'd1;
          state_d = SqHScan;
          h_d = 7'd0;
        end else if (it_q + 15'd1 != cfg_iters_i) begin
          l_d = 7'd0;
          it_d = it_q + 15'd1;
          n_d = {TCW{1'b0}};
          state_d = SqList;
        end else begin
          state_d = SqDrain;
        end
      end
      // wait until the last output write has left
      SqDrain: begin
        if (wb_idle_i)
          state_d = SqDone;
      end
      // run complete; a new start pulse runs again
      SqDone: begin
        if (start_i) begin
          state_d = SqInit;
          cnt_d = 15'd0;
        end
      end
      default: state_d = SqIdle;
    endcase

    // look-ahead: the head-step after the one starting now
    la_d = la_q;  lah_d = lah_q;  lax_d = lax_q;
    case (la_q)
      // nothing looked ahead
      LaIdle: ;
      // next active head of the layer, or (past its last head) of the next
      // layer (the port reads hdepth[lah] in SqStep)
      LaScan: begin
        if (lah_q == cfg_heads_i) begin
          if (xl_ok && !lax_q) begin
            lax_d = 1'b1;         // no pruning here: the next layer's heads
            lah_d = 7'd0;
          end else begin
            la_d = LaIdle;        // the layer ends with a selection, or the iteration: held
          end
        end else if (hdepth_rd_i > l_q + {6'd0, lax_q})
          la_d = LaFound;
        else
          lah_d = lah_q + 7'd1;
      end
      // found: held until the front end hands over
      LaFound: ;
      default: la_d = LaIdle;
    endcase
    if (state_q == SqStep && step_done_i)
      la_d = LaIdle;
    if (step_start_o) begin
      lax_d = 1'b0;
      if (!cfg_decode_i && ri_d + 1'b1 != n_q) begin
        la_d = LaFound;           // the next query row of this head
        lah_d = h_q;
      end else begin
        la_d = LaScan;
        lah_d = h_q + 7'd1;
      end
    end
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SqIdle;  it_q <= 15'd0;  l_q <= 7'd0;  h_q <= 7'd0;
      ri_q <= {TCW{1'b0}};  n_q <= {TCW{1'b0}};  cnt_q <= 15'd0;
      la_q <= LaIdle;  lah_q <= 7'd0;  lax_q <= 1'b0;
    end else begin
      state_q <= state_d;  it_q <= it_d;  l_q <= l_d;  h_q <= h_d;
      ri_q <= ri_d;  n_q <= n_d;  cnt_q <= cnt_d;
      la_q <= la_d;  lah_q <= lah_d;  lax_q <= lax_d;
    end
  end

  always @(*) begin
    case (state_q)
      SqList, SqHScan, SqNextRow, SqNextL: phase_o = PhScan;
      SqDrain:                             phase_o = PhOut;
      default:                             phase_o = 4'd0;
    endcase
  end

  assign prune_hold_o = state_q == SqBDrain || state_q == SqPrune;
  assign busy_o = state_q != SqIdle && state_q != SqDone;
  assign done_o = state_q == SqDone;
  assign init_o = state_q == SqInit;
  assign it_o = it_q[13:0];     // what the address map and observation carry
  assign l_o = l_q;
  assign h_o = h_q[5:0];
  assign ri_o = ri_q[TIW-1:0];
  assign n_o = n_q;
  assign clr_a_o = cnt_q[TIW-1:0];
  assign hdepth_ra_o = state_q == SqStep ? lah_q[5:0] : h_q[5:0];
  assign pf_ok_o = la_q == LaFound;
  assign pf_head_o = lah_q[5:0];
  assign pf_layer_o = l_q[5:0] + {5'd0, lax_q};  // l + 1 < layers: fits the address field
endmodule
