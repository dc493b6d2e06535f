// ctl_step.v - controller head-step: the streams of one head-step through
// the datapath (docs/rtl.md s5; C: cmodel/head.c sp_head_step). kbuf lines
// into qk as their K rows arrive, logits one per cycle into softmax, the
// requant decision (pass 2 on full keys), probabilities into the
// probability buffer, the selection keys and the token importance, then,
// after the value selection (ctl_sel) and the kept values' V rows
// (ctl_fetch), vbuf lines into pv, head importance and the output to the
// writer. ctl_seq starts it; ctl_fetch has already been told to fetch the
// scale and query rows.
`include "sp_defs.vh"
module ctl_step #(
  parameter integer D         = 64,    // head dimension of the hardware
  parameter integer MaxTokens = 1024,  // kbuf rows (power of two, >= 64)
  parameter integer MaxVals   = 256,   // vbuf rows (power of two)
  parameter integer NQk       = 64,
  parameter integer NPv       = 64
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 start_i,       // pulse from ctl_seq
  output reg                  done_o,        // last cycle of the head-step
  output reg  [3:0]           phase_o,       // phase of the cycle when this part owns it, else 0
  input  wire [8:0]           cfg_d_i,
  input  wire [TCW-1:0]       n_i,           // |A_l|
  // ctl_fetch
  input  wire                 q_sent_i,
  input  wire                 qok_i,
  input  wire [TCW-1:0]       fdone_i,
  input  wire [TCW-1:0]       vkept_i,       // kept values (rows in vbuf slots 0..)
  output reg                  k_req_o,
  output wire                 k_lsb_o,
  output reg                  v_req_o,
  output wire                 v_lsb_o,
  input  wire                 v_done_i,
  input  wire                 vk_we_i,       // kept value at position vk_pos_i -> slot vk_slot_i
  input  wire [TIW-1:0]       vk_pos_i,
  input  wire [VIW-1:0]       vk_slot_i,
  // ctl_sel
  output reg                  val_req_o,
  input  wire                 val_done_i,
  output reg                  skey_we_o,     // probability of position skey_wa_o as a key
  output wire [TIW-1:0]       skey_wa_o,
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
  output wire [`SP_LOGIT_BITS-1:0] sm_y_o,
  input  wire                 sm_info_valid_i,
  input  wire                 sm_p_valid_i,
  output wire                 sm_p_ready_o,
  input  wire [15:0]          sm_p_i,
  input  wire [15:0]          sm_pmax_i,
  input  wire                 rq_i,
  // vbuf read and pv
  output wire [VLW-1:0]       vb_line_o,
  output wire                 vb_full_o,
  input  wire [TPB*D*16-1:0]  vb_data_i,
  output reg                  pv_start_o,
  output wire                 pv_in_valid_o,
  input  wire                 pv_in_ready_i,
  output wire                 pv_in_last_o,
  output wire [TPB*16-1:0]    pv_in_p_o,
  output wire [NPv*16-1:0]    pv_in_v_o,
  input  wire                 pv_out_valid_i,
  // output to the writer
  output wire                 wb_valid_o,
  input  wire                 wb_ready_i,
  // importance: token of the probability stream (ctl_tables), updates
  output wire [TIW-1:0]       ptok_ra_o,
  input  wire [TIW-1:0]       ptok_i,
  output reg                  imp_we_o,      // imp[ptok] = the importance unit's sum
  output reg                  himp_we_o,     // himp[h] = imp_head_sum_i
  // observation: kind, index, data, this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output reg  [15:0]          obs_idx_o,
  output reg  [`SP_IMP_BITS-1:0] obs_data_o
);
  localparam integer TIW  = $clog2(MaxTokens);
  localparam integer TCW  = TIW + 1;
  localparam integer VIW  = $clog2(MaxVals);
  localparam integer KPB  = (NQk >= D) ? NQk / D : 1;  // keys per qk beat
  localparam integer KF   = (NQk >= D) ? 1 : D / NQk;  // qk beats per key
  localparam integer TPB  = (NPv >= D) ? NPv / D : 1;  // tokens per pv beat
  localparam integer VF   = (NPv >= D) ? 1 : D / NPv;  // pv beats per token
  localparam integer KPBW = (KPB > 1) ? $clog2(KPB) : 0;
  localparam integer TPBW = (TPB > 1) ? $clog2(TPB) : 0;
  localparam integer KLW  = TIW - KPBW;              // kbuf line index
  localparam integer VLW  = VIW - TPBW;              // vbuf line index
  localparam integer KFW  = (KF > 1) ? $clog2(KF) : 1;
  localparam integer VFW  = (VF > 1) ? $clog2(VF) : 1;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_step: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (MaxVals < 2 || (MaxVals & (MaxVals - 1)) != 0 || MaxVals > MaxTokens) begin : gen_chk_vals
      $error("ctl_step: MaxVals must be a power of two, 2..MaxTokens");
    end
    if ((KPB & (KPB - 1)) != 0 || (KF & (KF - 1)) != 0 || (TPB & (TPB - 1)) != 0 ||
        (VF & (VF - 1)) != 0 || KPB >= MaxTokens || TPB >= MaxVals) begin : gen_chk_lanes
      $error("ctl_step: NQk/D, D/NQk, NPv/D, D/NPv must be powers of two below the buffer depths");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OProb = `SP_OBS_PROB,
                   ORequant = `SP_OBS_REQUANT, OOut = `SP_OBS_OUT, OStepEnd = `SP_OBS_STEP_END;
  localparam [3:0] PhQFetch = 4'd2, PhQk = 4'd3, PhSoftmax = 4'd4, PhRequant = 4'd5,
                   PhVFetch = 4'd7, PhPv = 4'd8, PhOut = 4'd9;   // docs/rtl.md s6

  localparam [3:0]
    StIdle    = 4'd0,
    StFetchQ  = 4'd1,
    StQkStart = 4'd2,
    StQk      = 4'd3,
    StSmWait  = 4'd4,
    StAbort   = 4'd5,
    StPStream = 4'd6,
    StVSel    = 4'd7,
    StVFetch  = 4'd8,
    StPvStart = 4'd9,
    StPv      = 4'd10,
    StPvWait  = 4'd11,
    StHImp    = 4'd12,
    StStepEnd = 4'd13;

  // probabilities by position; p of the kept values by vbuf line
  reg [15:0]       pbuf_q [0:MaxTokens-1];
  reg [TPB*16-1:0] vp_q   [0:(MaxVals/TPB)-1];

  reg [3:0]       state_q, state_d;
  reg             pass2_q, pass2_d;    // qk and softmax on full keys (requant)
  reg             rq_q, rq_d;          // this head-step requantized
  reg [TCW-1:0]   kl_q, kl_d;          // qk: kbuf lines sent
  reg [KFW-1:0]   kb_q, kb_d;          // qk: beat within a key
  reg [TCW-1:0]   yrecv_q, yrecv_d;    // logits out of qk
  reg [KPB*`SP_LOGIT_BITS-1:0] ser_q, ser_d;
  reg [KPBW:0]    sercnt_q, sercnt_d;
  reg [KPBW:0]    seridx_q, seridx_d;
  reg [TCW-1:0]   yfed_q, yfed_d;      // logits into softmax / probabilities out
  reg [TCW-1:0]   pl_q, pl_d;          // pv lines sent
  reg [VFW-1:0]   pb_q, pb_d;          // pv beat within a token
  reg             pbuf_we;

  wire [TCW-1:0] klines = (n_i + KPB[TCW-1:0] - 1'b1) >> KPBW;
  wire [TCW-1:0] vlines = (vkept_i + TPB[TCW-1:0] - 1'b1) >> TPBW;
  wire [TCW-1:0] n_rem  = n_i - yrecv_q;
  wire k_fire  = qk_k_valid_o && qk_k_ready_i;
  wire y_fire  = qk_y_valid_i && qk_y_ready_o;
  wire sy_fire = sm_y_valid_o && sm_y_ready_i;
  wire p_fire  = sm_p_valid_i && sm_p_ready_o;
  wire pv_fire = pv_in_valid_o && pv_in_ready_i;

  always @(*) begin
    state_d = state_q;  pass2_d = pass2_q;  rq_d = rq_q;  kl_d = kl_q;  kb_d = kb_q;
    yrecv_d = yrecv_q;  ser_d = ser_q;  sercnt_d = sercnt_q;  seridx_d = seridx_q;  yfed_d = yfed_q;
    pl_d = pl_q;  pb_d = pb_q;
    done_o = 1'b0;  k_req_o = 1'b0;  v_req_o = 1'b0;  val_req_o = 1'b0;  skey_we_o = 1'b0;
    sm_start_o = 1'b0;  sm_abort_o = 1'b0;  pv_start_o = 1'b0;  pbuf_we = 1'b0;
    imp_we_o = 1'b0;  himp_we_o = 1'b0;
    obs_kind_o = ONone;  obs_idx_o = 16'd0;  obs_data_o = {`SP_IMP_BITS{1'b0}};
    case (state_q)
      // wait for ctl_seq's start
      StIdle: begin
        if (start_i)
          state_d = StFetchQ;
      end
      // ctl_fetch requests the scale row (first row of a head) and q
      StFetchQ: begin
        if (q_sent_i) begin
          state_d = StQkStart;
          pass2_d = 1'b0;
          rq_d = 1'b0;
        end
      end
      // start softmax and the K row walk of this pass
      StQkStart: begin
        sm_start_o = 1'b1;
        k_req_o = 1'b1;
        state_d = StQk;
        kl_d = {TCW{1'b0}};
        kb_d = {KFW{1'b0}};
        yrecv_d = {TCW{1'b0}};
        sercnt_d = {(KPBW+1){1'b0}};
        yfed_d = {TCW{1'b0}};
      end
      // kbuf lines into qk as their rows arrive; logits one a cycle into softmax
      StQk: begin
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
          sercnt_d = sercnt_q - 1'b1;
          yfed_d = yfed_q + 1'b1;
          if (yfed_q + 1'b1 == n_i)
            state_d = StSmWait;
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
      // wait for softmax's max, sum and pmax; pass 1 decides requant
      StSmWait: begin
        if (sm_info_valid_i) begin
          if (!pass2_q) begin
            rq_d = rq_i;
            obs_kind_o = ORequant;
            obs_data_o = {16'd0, sm_pmax_i, 15'd0, rq_i};  // first-pass pmax and the decision
          end
          if (!pass2_q && rq_i) begin
            state_d = StAbort;
          end else begin
            state_d = StPStream;
            yfed_d = {TCW{1'b0}};
          end
        end
      end
      // requant: drop the first softmax, run qk and softmax again on full keys
      StAbort: begin
        sm_abort_o = 1'b1;
        pass2_d = 1'b1;
        state_d = StQkStart;
      end
      // probabilities: buffer, selection keys, token importance
      StPStream: begin
        if (p_fire) begin
          pbuf_we = 1'b1;
          skey_we_o = 1'b1;
          imp_we_o = 1'b1;
          obs_kind_o = OProb;
          obs_idx_o = {{(16-TIW){1'b0}}, ptok_i};
          obs_data_o = {32'd0, sm_p_i};
          yfed_d = yfed_q + 1'b1;
          if (yfed_q + 1'b1 == n_i) begin
            state_d = StVSel;
            val_req_o = 1'b1;
          end
        end
      end
      // local value pruning: top-k over the probabilities (ctl_sel)
      StVSel: begin
        if (val_done_i) begin
          state_d = StVFetch;
          v_req_o = 1'b1;
        end
      end
      // V rows of the kept values into vbuf (ctl_fetch)
      StVFetch: begin
        if (v_done_i)
          state_d = StPvStart;
      end
      // clear pv's accumulators
      StPvStart: begin
        pv_start_o = 1'b1;
        state_d = StPv;
        pl_d = {TCW{1'b0}};
        pb_d = {VFW{1'b0}};
      end
      // vbuf lines with their p into pv
      StPv: begin
        if (pv_fire) begin
          if (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1) begin
            pb_d = {VFW{1'b0}};
            pl_d = pl_q + 1'b1;
            if (pl_q + 1'b1 == vlines)
              state_d = StPvWait;
          end else begin
            pb_d = pb_q + 1'b1;
          end
        end
      end
      // wait for pv's output
      StPvWait: begin
        if (pv_out_valid_i)
          state_d = StHImp;
      end
      // head importance; the output vector goes to the writer (held until it
      // takes it) and is observed whole (obs_vec_o of spattn_top)
      StHImp: begin
        if (wb_ready_i) begin
          himp_we_o = 1'b1;
          obs_kind_o = OOut;
          obs_idx_o = {7'd0, cfg_d_i};
          state_d = StStepEnd;
        end
      end
      // end of the head-step
      StStepEnd: begin
        obs_kind_o = OStepEnd;
        state_d = StIdle;
        done_o = 1'b1;
      end
      default: state_d = StIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= StIdle;  pass2_q <= 1'b0;  rq_q <= 1'b0;  kl_q <= {TCW{1'b0}};  kb_q <= {KFW{1'b0}};
      yrecv_q <= {TCW{1'b0}};  ser_q <= {KPB*`SP_LOGIT_BITS{1'b0}};  sercnt_q <= {(KPBW+1){1'b0}};
      seridx_q <= {(KPBW+1){1'b0}};  yfed_q <= {TCW{1'b0}};  pl_q <= {TCW{1'b0}};  pb_q <= {VFW{1'b0}};
    end else begin
      state_q <= state_d;  pass2_q <= pass2_d;  rq_q <= rq_d;  kl_q <= kl_d;  kb_q <= kb_d;
      yrecv_q <= yrecv_d;  ser_q <= ser_d;  sercnt_q <= sercnt_d;  seridx_q <= seridx_d;
      yfed_q <= yfed_d;  pl_q <= pl_d;  pb_q <= pb_d;
    end
  end

  // probability buffer; p of a kept value: lane 0 of a line clears the
  // line's other lanes, so a partial last line feeds p = 0 to the idle pv lanes
  always @(posedge clk_i) begin
    if (pbuf_we)
      pbuf_q[yfed_q[TIW-1:0]] <= sm_p_i;
  end
  wire [15:0] vp_wd = pbuf_q[vk_pos_i];
  generate
    if (TPB > 1) begin : gen_vp_lanes
      always @(posedge clk_i) begin
        if (vk_we_i) begin
          if (vk_slot_i[TPBW-1:0] == {TPBW{1'b0}})
            vp_q[vk_slot_i[VIW-1:TPBW]] <= {{(TPB*16-16){1'b0}}, vp_wd};
          else
            vp_q[vk_slot_i[VIW-1:TPBW]][vk_slot_i[TPBW-1:0] * 16 +: 16] <= vp_wd;
        end
      end
    end else begin : gen_vp_one
      always @(posedge clk_i) begin
        if (vk_we_i)
          vp_q[vk_slot_i] <= vp_wd;
      end
    end
  endgenerate

  always @(*) begin
    case (state_q)
      StFetchQ:             phase_o = PhQFetch;
      StQkStart, StQk:      phase_o = pass2_q ? PhRequant : PhQk;
      StSmWait:             phase_o = pass2_q ? PhRequant : PhSoftmax;
      StAbort:              phase_o = PhRequant;
      StPStream:            phase_o = PhSoftmax;
      StVFetch:             phase_o = PhVFetch;
      StPvStart, StPv, StPvWait: phase_o = PhPv;
      StHImp, StStepEnd:    phase_o = PhOut;
      default:              phase_o = 4'd0;   // idle; StVSel: ctl_sel reports
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
  assign v_lsb_o   = rq_q;
  assign qk_k_valid_o = state_q == StQk && qok_i && kl_q != klines && kline_ready;
  generate
    if (KF == 1) begin : gen_k_whole
      assign qk_k_data_o = kb_data_i;
    end else begin : gen_k_fold
      assign qk_k_data_o = kb_data_i[kb_q * NQk * 16 +: NQk * 16];
    end
  endgenerate
  assign qk_y_ready_o = (sercnt_q == {(KPBW+1){1'b0}}) ||
                        (sercnt_q == {{KPBW{1'b0}}, 1'b1} && sm_y_ready_i);
  assign sm_y_valid_o = state_q == StQk && sercnt_q != {(KPBW+1){1'b0}};
  assign sm_y_o       = ser_q[seridx_q[KPBW > 0 ? KPBW-1 : 0:0] * `SP_LOGIT_BITS +: `SP_LOGIT_BITS];
  assign sm_p_ready_o = state_q == StPStream;

  assign vb_line_o     = pl_q[VLW-1:0];
  assign vb_full_o     = rq_q;
  assign pv_in_valid_o = state_q == StPv;
  assign pv_in_last_o  = (pl_q + 1'b1 == vlines) && (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1);
  assign pv_in_p_o     = vp_q[pl_q[VLW-1:0]];
  generate
    if (VF == 1) begin : gen_v_whole
      assign pv_in_v_o = vb_data_i;
    end else begin : gen_v_fold
      assign pv_in_v_o = vb_data_i[pb_q * NPv * 16 +: NPv * 16];
    end
  endgenerate

  assign wb_valid_o = state_q == StHImp;
  assign skey_wa_o  = yfed_q[TIW-1:0];
  assign ptok_ra_o  = yfed_q[TIW-1:0];
endmodule
