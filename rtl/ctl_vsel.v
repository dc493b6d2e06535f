// ctl_vsel.v - controller value-selection part of the head-step pipeline
// (docs/rtl.md s5; C: cmodel/head.c sp_head_step, the local value pruning):
// it takes a head-step from ctl_smx once its probabilities are streamed
// (take_i) and latches its identity, asks ctl_sel for the value top-k over
// the top-k key buffer (kept flags into flag bank fbank_o), then hands the
// head-step to ctl_back (V walk, pv, output). The two flag banks alternate
// at each hand-over, so the selection of head-step i+1 runs while ctl_back
// walks the kept values of i: four head-steps in flight (front, ctl_smx,
// here, ctl_back).
`include "sp_defs.vh"
module ctl_vsel #(
  parameter integer MaxTokens = 1024   // positions (power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // from ctl_smx (take_i) with the head-step's identity, latched here
  input  wire                 take_i,
  input  wire                 rq_i,          // requantized
  input  wire [1:0]           pbank_i,       // its pbuf bank
  input  wire [13:0]          it_i,
  input  wire [6:0]           l_i,
  input  wire [5:0]           h_i,
  input  wire [TIW-1:0]       rowtok_i,      // query token (encoder)
  input  wire [15:0]          hmult_i,       // head importance scale of its head
  input  wire [5:0]           hshift_i,
  output wire                 idle_o,        // holds no head-step (take_i is taken)
  output wire                 sel_o,         // the value selection reads the key buffer (ends with val_done_i)
  // ctl_sel: value selection, its kept flags into bank fbank_o
  output reg                  val_req_o,
  input  wire                 val_done_i,
  output wire                 fbank_o,
  // to ctl_back: the hand-over and the latched identity
  input  wire                 bk_idle_i,     // ctl_back holds no head-step
  output reg                  hand_o,
  output wire                 rq_o,
  output wire [1:0]           pbank_o,
  output wire [13:0]          it_o,
  output wire [6:0]           l_o,
  output wire [5:0]           h_o,
  output wire [TIW-1:0]       rowtok_o,
  output wire [15:0]          hmult_o,
  output wire [5:0]           hshift_o,
  output reg  [3:0]           phase_o,       // controller phase (docs/rtl.md s6), 0 when idle
  output reg  [3:0]           stage_o        // SP_VST_* stage
);
  localparam integer TIW = $clog2(MaxTokens);

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_vsel: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
  endgenerate

  localparam [3:0] PhVSel = 4'd6;  // docs/rtl.md s6

  localparam [1:0]
    VsIdle = 2'd0,
    VsSel  = 2'd1,
    VsHand = 2'd2;

  reg [1:0]       state_q, state_d;
  reg             fbank_q, fbank_d;    // flag bank of this head-step (flips at each hand-over)
  reg             rq_q;
  reg [1:0]       pbank_q;
  reg [13:0]      it_q;
  reg [6:0]       l_q;
  reg [5:0]       h_q;
  reg [TIW-1:0]   rowtok_q;
  reg [15:0]      hmult_q;
  reg [5:0]       hshift_q;

  always @(*) begin
    state_d = state_q;  fbank_d = fbank_q;
    val_req_o = 1'b0;  hand_o = 1'b0;
    case (state_q)
      // wait for ctl_smx's head-step; the value selection starts with it
      VsIdle: begin
        if (take_i) begin
          state_d = VsSel;
          val_req_o = 1'b1;
        end
      end
      // local value pruning: top-k over the key buffer (ctl_sel), kept
      // flags into bank fbank_q; to ctl_back in the last cycle if it is free
      VsSel: begin
        if (val_done_i) begin
          state_d = VsHand;
          if (bk_idle_i) begin
            hand_o = 1'b1;
            fbank_d = ~fbank_q;
            state_d = VsIdle;
          end
        end
      end
      // kept flags in: hand the head-step to ctl_back once it is free
      VsHand: begin
        if (bk_idle_i) begin
          hand_o = 1'b1;
          fbank_d = ~fbank_q;
          state_d = VsIdle;
        end
      end
      default: state_d = VsIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= VsIdle;  fbank_q <= 1'b0;  rq_q <= 1'b0;  pbank_q <= 2'd0;
      it_q <= 14'd0;  l_q <= 7'd0;  h_q <= 6'd0;  rowtok_q <= {TIW{1'b0}};
      hmult_q <= 16'd1;  hshift_q <= 6'd0;
    end else begin
      state_q <= state_d;  fbank_q <= fbank_d;
      if (state_q == VsIdle && take_i) begin
        rq_q <= rq_i;  pbank_q <= pbank_i;  it_q <= it_i;  l_q <= l_i;  h_q <= h_i;
        rowtok_q <= rowtok_i;  hmult_q <= hmult_i;  hshift_q <= hshift_i;
      end
    end
  end

  always @(*) begin
    phase_o = 4'd0;
    stage_o = `SP_VST_NONE;
    case (state_q)
      VsSel:  begin phase_o = PhVSel; stage_o = `SP_VST_SEL; end
      VsHand: begin phase_o = PhVSel; stage_o = `SP_VST_HAND; end
      default: ;
    endcase
  end

  assign idle_o   = state_q == VsIdle;
  assign sel_o    = state_q == VsSel;
  assign fbank_o  = fbank_q;
  assign rq_o     = rq_q;
  assign pbank_o  = pbank_q;
  assign it_o     = it_q;
  assign l_o      = l_q;
  assign h_o      = h_q;
  assign rowtok_o = rowtok_q;
  assign hmult_o  = hmult_q;
  assign hshift_o = hshift_q;
endmodule
