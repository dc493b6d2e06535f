// ctl_front.v - controller front end of the head-step pipeline (docs/rtl.md
// s5; C: cmodel/head.c sp_head_step up to the probabilities): kbuf lines
// into qk as their K rows arrive, logits into softmax (min(P, KPB) a
// cycle: P = SoftmaxLanes softmax lanes, KPB keys per qk beat), the
// requant decision (pass 2 on full keys). With the decision made it hands
// the head-step to ctl_smx (the softmax's NORM rows, the probability
// stream, the hand-over to ctl_back) and is free for the next head-step,
// whose softmax load goes to the other score bank.
// ctl_seq starts it; ctl_fetch has already been told to fetch the scale and
// query rows.
`include "sp_defs.vh"
module ctl_front #(
  parameter integer D         = 64,    // head dimension of the hardware
  parameter integer MaxTokens = 1024,  // kbuf rows (power of two, >= 64)
  parameter integer NQk       = 64,
  parameter integer SoftmaxLanes = 1   // P: softmax lanes (a power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 start_i,       // pulse from ctl_seq
  output reg                  hand_o,        // the head-step moves to ctl_smx; softmax take (last cycle here)
  output reg  [3:0]           phase_o,       // controller phase (docs/rtl.md s6), 0 when idle
  output reg  [3:0]           stage_o,       // SP_FST_* stage
  output wire                 rq_o,          // this head-step requantized (latched by ctl_smx)
  input  wire [TCW-1:0]       n_i,           // |A_l|
  input  wire                 sx_idle_i,     // ctl_smx holds no head-step
  // ctl_fetch
  input  wire                 q_sent_i,
  input  wire                 qok_i,
  input  wire [TCW-1:0]       fdone_i,       // K rows arrived in this walk
  output reg                  k_req_o,
  output wire                 k_lsb_o,
  // kbuf read and qk
  output wire [KLW-1:0]       kb_line_o,
  output wire                 kb_full_o,
  input  wire [KPB*D*16-1:0]  kb_data_i,
  output wire                 qk_k_valid_o,
  input  wire                 qk_k_ready_i,
  output wire [NQk*16-1:0]    qk_k_data_o,
  input  wire                 qk_y_valid_i,
  output wire                 qk_y_ready_o,
  input  wire [KPB*`SP_LOGIT_BITS-1:0] qk_y_i,
  // softmax and requant
  output reg                  sm_start_o,
  output reg                  sm_abort_o,
  output wire                 sm_y_valid_o,
  input  wire                 sm_y_ready_i,
  output wire [P*`SP_LOGIT_BITS-1:0] sm_y_o,
  output wire [YNW-1:0]       sm_y_n_o,
  input  wire                 sm_info_valid_i,
  input  wire [15:0]          sm_pmax_i,
  input  wire                 rq_i,
  // observation: kind, index, data, this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output reg  [15:0]          obs_idx_o,
  output reg  [`SP_IMP_BITS-1:0] obs_data_o
);
  localparam integer P    = SoftmaxLanes;
  localparam integer YNW  = $clog2(P + 1);
  localparam integer TIW  = $clog2(MaxTokens);
  localparam integer TCW  = TIW + 1;
  localparam integer KPB  = (NQk >= D) ? NQk / D : 1;  // keys per qk beat
  localparam integer KF   = (NQk >= D) ? 1 : D / NQk;  // qk beats per key
  localparam integer KPBW = (KPB > 1) ? $clog2(KPB) : 0;
  localparam integer KLW  = TIW - KPBW;              // kbuf line index
  localparam integer KFW  = (KF > 1) ? $clog2(KF) : 1;
  localparam integer SL   = (P < KPB) ? P : KPB;       // logits into softmax a cycle

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_front: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if ((KPB & (KPB - 1)) != 0 || (KF & (KF - 1)) != 0 || KPB >= MaxTokens) begin : gen_chk_lanes
      $error("ctl_front: NQk/D, D/NQk must be powers of two below the buffer depth");
    end
    if (P < 1 || (P & (P - 1)) != 0 || P >= MaxTokens) begin : gen_chk_sm
      $error("ctl_front: SoftmaxLanes must be a power of two below MaxTokens");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, ORequant = `SP_OBS_REQUANT;
  localparam [3:0] PhQFetch = 4'd2, PhQk = 4'd3, PhSoftmax = 4'd4, PhRequant = 4'd5;  // docs/rtl.md s6

  localparam [3:0]
    FtIdle    = 4'd0,
    FtFetchQ  = 4'd1,
    FtQkStart = 4'd2,
    FtQk      = 4'd3,
    FtSmWait  = 4'd4,
    FtAbort   = 4'd5;

  reg [3:0]       state_q, state_d;
  reg             pass2_q, pass2_d;    // qk and softmax on full keys (requant)
  reg             rq_q, rq_d;          // this head-step requantized
  reg [TCW-1:0]   kl_q, kl_d;          // qk: kbuf lines sent
  reg [KFW-1:0]   kb_q, kb_d;          // qk: beat within a key
  reg [TCW-1:0]   yrecv_q, yrecv_d;    // logits out of qk
  reg [KPB*`SP_LOGIT_BITS-1:0] ser_q, ser_d;
  reg [KPBW:0]    sercnt_q, sercnt_d;
  reg [KPBW:0]    seridx_q, seridx_d;
  reg [TCW-1:0]   yfed_q, yfed_d;      // logits into softmax

  wire [TCW-1:0] klines = (n_i + KPB[TCW-1:0] - 1'b1) >> KPBW;
  wire [TCW-1:0] n_rem  = n_i - yrecv_q;
  wire k_fire  = qk_k_valid_o && qk_k_ready_i;
  wire y_fire  = qk_y_valid_i && qk_y_ready_o;
  wire sy_fire = sm_y_valid_o && sm_y_ready_i;
  // logits of the next softmax beat: min(SL, left in the qk beat)
  wire [KPBW:0]  sy_n  = (sercnt_q < SL[KPBW:0]) ? sercnt_q : SL[KPBW:0];
  wire [TCW-1:0] sy_nw = {{(TCW-KPBW-1){1'b0}}, sy_n};

  always @(*) begin
    state_d = state_q;  pass2_d = pass2_q;  rq_d = rq_q;  kl_d = kl_q;  kb_d = kb_q;
    yrecv_d = yrecv_q;  ser_d = ser_q;  sercnt_d = sercnt_q;  seridx_d = seridx_q;  yfed_d = yfed_q;
    hand_o = 1'b0;  k_req_o = 1'b0;  sm_start_o = 1'b0;  sm_abort_o = 1'b0;
    obs_kind_o = ONone;  obs_idx_o = 16'd0;  obs_data_o = {`SP_IMP_BITS{1'b0}};
    case (state_q)
      // wait for ctl_seq's start
      FtIdle: begin
        if (start_i)
          state_d = FtFetchQ;
      end
      // ctl_fetch requests the scale row (first row of a head) and q
      FtFetchQ: begin
        if (q_sent_i) begin
          state_d = FtQkStart;
          pass2_d = 1'b0;
          rq_d = 1'b0;
        end
      end
      // start softmax and the K row walk of this pass
      FtQkStart: begin
        sm_start_o = 1'b1;
        k_req_o = 1'b1;
        state_d = FtQk;
        kl_d = {TCW{1'b0}};
        kb_d = {KFW{1'b0}};
        yrecv_d = {TCW{1'b0}};
        sercnt_d = {(KPBW+1){1'b0}};
        yfed_d = {TCW{1'b0}};
      end
      // kbuf lines into qk as their rows arrive; logits into softmax, sy_n a cycle
      FtQk: begin
        if (k_fire) begin
          if (KF == 1 || kb_q == KF[KFW-1:0] - 1'b1) begin
            kb_d = {KFW{1'b0}};
            kl_d = kl_q + 1'b1;
          end else begin
            kb_d = kb_q + 1'b1;
          end
        end
        if (sy_fire) begin
          seridx_d = seridx_q + 1'b1;
          sercnt_d = sercnt_q - sy_n;
          yfed_d = yfed_q + sy_nw;
          if (yfed_q + sy_nw == n_i)
            state_d = FtSmWait;
        end
        // a new beat of logits may replace the last one in the cycle it leaves
        if (y_fire) begin
          ser_d = qk_y_i;
          seridx_d = {(KPBW+1){1'b0}};
          if (n_rem > KPB[TCW-1:0]) begin
            sercnt_d = KPB[KPBW:0];
            yrecv_d = yrecv_q + KPB[TCW-1:0];
          end else begin
            sercnt_d = n_rem[KPBW:0];
            yrecv_d = n_i;
          end
        end
      end
      // wait for softmax's max, sum and pmax; pass 1 decides requant; with
      // the decision made, the head-step goes to ctl_smx once it is free
      FtSmWait: begin
        if (sm_info_valid_i && !pass2_q && rq_i) begin
          rq_d = 1'b1;
          obs_kind_o = ORequant;
          obs_data_o = {16'd0, sm_pmax_i, 15'd0, 1'b1};  // first-pass pmax and the decision
          state_d = FtAbort;
        end else if (sm_info_valid_i && sx_idle_i) begin
          hand_o = 1'b1;
          if (!pass2_q) begin
            obs_kind_o = ORequant;
            obs_data_o = {16'd0, sm_pmax_i, 15'd0, 1'b0};
          end
          state_d = FtIdle;
        end
      end
      // requant: drop the first softmax, run qk and softmax again on full keys
      FtAbort: begin
        sm_abort_o = 1'b1;
        pass2_d = 1'b1;
        state_d = FtQkStart;
      end
      default: state_d = FtIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= FtIdle;  pass2_q <= 1'b0;  rq_q <= 1'b0;  kl_q <= {TCW{1'b0}};
      kb_q <= {KFW{1'b0}};  yrecv_q <= {TCW{1'b0}};  ser_q <= {KPB*`SP_LOGIT_BITS{1'b0}};
      sercnt_q <= {(KPBW+1){1'b0}};  seridx_q <= {(KPBW+1){1'b0}};  yfed_q <= {TCW{1'b0}};
    end else begin
      state_q <= state_d;  pass2_q <= pass2_d;  rq_q <= rq_d;  kl_q <= kl_d;
      kb_q <= kb_d;  yrecv_q <= yrecv_d;  ser_q <= ser_d;  sercnt_q <= sercnt_d;  seridx_q <= seridx_d;
      yfed_q <= yfed_d;
    end
  end

  always @(*) begin
    phase_o = 4'd0;
    stage_o = `SP_FST_NONE;
    case (state_q)
      FtFetchQ:  begin phase_o = PhQFetch;  stage_o = `SP_FST_QFETCH; end
      FtQkStart, FtQk: begin
        phase_o = pass2_q ? PhRequant : PhQk;
        stage_o = pass2_q ? `SP_FST_REQUANT : `SP_FST_QK;
      end
      FtSmWait: begin
        phase_o = pass2_q ? PhRequant : PhSoftmax;
        stage_o = pass2_q ? `SP_FST_REQUANT : `SP_FST_SMWAIT;
      end
      FtAbort:   begin phase_o = PhRequant; stage_o = `SP_FST_REQUANT; end
      default: ;
    endcase
  end

  // a kbuf line goes to qk once all its rows have arrived (rows arrive in
  // slot order)
  wire [TCW-1:0] klines_done = fdone_i >> KPBW;
`ifdef SPATTN_MUTANT_HANDOFF
  // mutant (make test-mutant-cosim): the line is handed over one line early,
  // when the line before it is complete
  wire kline_ready = (kl_q <= klines_done) || (fdone_i == n_i);
`else
  wire kline_ready = (kl_q < klines_done) || (fdone_i == n_i);
`endif
  assign kb_line_o = kl_q[KLW-1:0];
  assign kb_full_o = pass2_q;
  assign k_lsb_o   = pass2_q;
  assign rq_o      = rq_q;
  assign qk_k_valid_o = state_q == FtQk && qok_i && kl_q != klines && kline_ready;
  generate
    if (KF == 1) begin : gen_k_whole
      assign qk_k_data_o = kb_data_i;
    end else begin : gen_k_fold
      assign qk_k_data_o = kb_data_i[kb_q * NQk * 16 +: NQk * 16];
    end
  endgenerate
  // a new qk beat is taken when the last softmax beat of the one held leaves
  assign qk_y_ready_o = (sercnt_q == {(KPBW+1){1'b0}}) ||
                        (sercnt_q == sy_n && sm_y_ready_i);
  assign sm_y_valid_o = state_q == FtQk && sercnt_q != {(KPBW+1){1'b0}};
  generate
    if (YNW > KPBW + 1) begin : gen_yn_ext
      assign sm_y_n_o = {{(YNW-KPBW-1){1'b0}}, sy_n};
    end else begin : gen_yn_cut
      // sy_n <= SL <= P fits
      assign sm_y_n_o = sy_n[YNW-1:0];
    end
    if (KPB <= P) begin : gen_y_rep
      // a beat of KPB logits lands in lanes off.. of the softmax row, off =
      // logits fed mod P, a multiple of KPB: the beat repeated P/KPB times
      // puts each logit in its lane
      assign sm_y_o = {(P/KPB){ser_q}};
    end else begin : gen_y_slice
      // P logits of the KPB held, chunk seridx
      assign sm_y_o = ser_q[seridx_q[KPBW-1:0] * (P*`SP_LOGIT_BITS) +: P*`SP_LOGIT_BITS];
    end
  endgenerate
endmodule
