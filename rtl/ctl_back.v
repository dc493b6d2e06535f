// ctl_back.v - controller back end of the head-step pipeline (docs/rtl.md
// s5; C: cmodel/head.c sp_head_step after the value selection): the kept
// values' V walk (ctl_fetch, on the kept flags of this head-step's flag
// bank) with their probabilities from the pbuf bank of this head-step,
// vbuf lines into pv, head importance and the output to the writer. It
// takes a head-step from ctl_vsel (hand_i) and latches its identity, so
// ctl_vsel runs the next head-step's value selection meanwhile. pbuf has
// three banks: ctl_smx streams head-step i+2 into one while ctl_vsel holds
// i+1's and the V walk here reads i's.
`include "sp_defs.vh"
module ctl_back #(
  parameter integer D         = 64,    // head dimension of the hardware
  parameter integer MaxTokens = 1024,  // pbuf rows per bank (power of two, >= 64)
  parameter integer MaxVals   = 256,   // vbuf rows (power of two)
  parameter integer NPv       = 64,
  parameter integer Lanes     = 1      // pbuf write lanes (softmax lanes, a power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // hand-over from ctl_front: the head-step's identity, latched here
  input  wire                 hand_i,
  input  wire [13:0]          it_i,
  input  wire [6:0]           l_i,
  input  wire [5:0]           h_i,
  input  wire [TIW-1:0]       rowtok_i,      // query token (encoder)
  input  wire                 rq_i,          // requantized: V LSB rows too, merged values
  input  wire [1:0]           bank_i,        // its pbuf bank (0..2)
  input  wire                 fbank_i,       // its kept-flag bank (ctl_sel)
  input  wire [15:0]          hmult_i,       // head importance scale of its head
  input  wire [5:0]           hshift_i,
  output wire                 idle_o,        // holds no head-step
  output wire                 fbank_o,       // kept-flag bank the V walk reads
  output reg  [3:0]           phase_o,       // controller phase (docs/rtl.md s6), 0 when idle
  output reg  [3:0]           stage_o,       // SP_BST_* stage
  output wire [13:0]          it_o,          // the latched identity
  output wire [6:0]           l_o,
  output wire [5:0]           h_o,
  output wire [TIW-1:0]       rowtok_o,
  output wire [15:0]          hmult_o,
  output wire [5:0]           hshift_o,
  input  wire [8:0]           cfg_d_i,
  // pbuf write port (ctl_front's probability stream): one row of Lanes
  // positions pb_wa_i + j (pb_wa_i a multiple of Lanes), lane j written
  // where pb_we_i[j]
  input  wire [Lanes-1:0]     pb_we_i,
  input  wire [1:0]           pb_bank_i,
  input  wire [TIW-1:0]       pb_wa_i,
  input  wire [Lanes*16-1:0]  pb_wd_i,
  // ctl_fetch: V walk
  output reg                  v_req_o,
  output wire                 v_lsb_o,
  input  wire                 v_done_i,
  input  wire [TCW-1:0]       vkept_i,       // kept values (rows in vbuf slots 0..)
  input  wire                 vk_we_i,       // kept value at position vk_pos_i -> slot vk_slot_i
  input  wire [TIW-1:0]       vk_pos_i,
  input  wire [VIW-1:0]       vk_slot_i,
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
  // output to the writer, head importance
  output wire                 wb_valid_o,
  input  wire                 wb_ready_i,
  output reg                  himp_we_o,     // himp[h_o] = the importance unit's head sum
  // observation: kind, index, this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output reg  [15:0]          obs_idx_o
);
  localparam integer TIW  = $clog2(MaxTokens);
  localparam integer TCW  = TIW + 1;
  localparam integer VIW  = $clog2(MaxVals);
  localparam integer TPB  = (NPv >= D) ? NPv / D : 1;  // tokens per pv beat
  localparam integer VF   = (NPv >= D) ? 1 : D / NPv;  // pv beats per token
  localparam integer TPBW = (TPB > 1) ? $clog2(TPB) : 0;
  localparam integer VLW  = VIW - TPBW;              // vbuf line index
  localparam integer VFW  = (VF > 1) ? $clog2(VF) : 1;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_back: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (MaxVals < 2 || (MaxVals & (MaxVals - 1)) != 0 || MaxVals > MaxTokens) begin : gen_chk_vals
      $error("ctl_back: MaxVals must be a power of two, 2..MaxTokens");
    end
    if ((TPB & (TPB - 1)) != 0 || (VF & (VF - 1)) != 0 || TPB >= MaxVals) begin : gen_chk_lanes
      $error("ctl_back: NPv/D, D/NPv must be powers of two below the buffer depth");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OOut = `SP_OBS_OUT,
                   OStepEnd = `SP_OBS_STEP_END;
  localparam [3:0] PhVFetch = 4'd7, PhPv = 4'd8, PhOut = 4'd9;   // docs/rtl.md s6

  localparam [2:0]
    BkIdle    = 3'd0,
    BkVFetch  = 3'd1,
    BkPvStart = 3'd2,
    BkPv      = 3'd3,
    BkPvWait  = 3'd4,
    BkHImp    = 3'd5,
    BkStepEnd = 3'd6;

  // probabilities by position, three banks (ctl_smx fills one, ctl_vsel's
  // head-step holds one, the V walk here reads one), each split into Lanes memories by
  // position mod Lanes (generate block gen_pb below); p of the kept values
  // by vbuf line
  reg [TPB*16-1:0] vp_q   [0:(MaxVals/TPB)-1];

  reg [2:0]       state_q, state_d;
  reg [TCW-1:0]   pl_q, pl_d;          // pv lines sent
  reg [VFW-1:0]   pb_q, pb_d;          // pv beat within a token
  // the head-step's identity (latched at the hand-over)
  reg [13:0]      it_q;
  reg [6:0]       l_q;
  reg [5:0]       h_q;
  reg [TIW-1:0]   rowtok_q;
  reg             rq_q, fbank_q;
  reg [1:0]       bank_q;
  reg [15:0]      hmult_q;
  reg [5:0]       hshift_q;

  wire [TCW-1:0] vlines = (vkept_i + TPB[TCW-1:0] - 1'b1) >> TPBW;
  wire pv_fire = pv_in_valid_o && pv_in_ready_i;

  always @(*) begin
    state_d = state_q;  pl_d = pl_q;  pb_d = pb_q;
    v_req_o = 1'b0;  pv_start_o = 1'b0;  himp_we_o = 1'b0;
    obs_kind_o = ONone;  obs_idx_o = 16'd0;
    case (state_q)
      // wait for ctl_vsel's hand-over (kept flags in); the V walk starts with it
      BkIdle: begin
        if (hand_i) begin
          state_d = BkVFetch;
          v_req_o = 1'b1;
        end
      end
      // V rows of the kept values into vbuf (ctl_fetch)
      BkVFetch: begin
        if (v_done_i)
          state_d = BkPvStart;
      end
      // clear pv's accumulators
      BkPvStart: begin
        pv_start_o = 1'b1;
        state_d = BkPv;
        pl_d = {TCW{1'b0}};
        pb_d = {VFW{1'b0}};
      end
      // vbuf lines with their p into pv
      BkPv: begin
        if (pv_fire) begin
          if (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1) begin
            pb_d = {VFW{1'b0}};
            pl_d = pl_q + 1'b1;
            if (pl_q + 1'b1 == vlines)
              state_d = BkPvWait;
          end else begin
            pb_d = pb_q + 1'b1;
          end
        end
      end
      // wait for pv's output
      BkPvWait: begin
        if (pv_out_valid_i)
          state_d = BkHImp;
      end
      // head importance; the output vector goes to the writer (held until it
      // takes it) and is observed whole (obs_vec_o of spattn_top)
      BkHImp: begin
        if (wb_ready_i) begin
          himp_we_o = 1'b1;
          obs_kind_o = OOut;
          obs_idx_o = {7'd0, cfg_d_i};
          state_d = BkStepEnd;
        end
      end
      // end of the head-step
      BkStepEnd: begin
        obs_kind_o = OStepEnd;
        state_d = BkIdle;
      end
      default: state_d = BkIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= BkIdle;  pl_q <= {TCW{1'b0}};  pb_q <= {VFW{1'b0}};
      it_q <= 14'd0;  l_q <= 7'd0;  h_q <= 6'd0;  rowtok_q <= {TIW{1'b0}};  rq_q <= 1'b0;
      bank_q <= 2'd0;  fbank_q <= 1'b0;  hmult_q <= 16'd1;  hshift_q <= 6'd0;
    end else begin
      state_q <= state_d;  pl_q <= pl_d;  pb_q <= pb_d;
      if (state_q == BkIdle && hand_i) begin
        it_q <= it_i;  l_q <= l_i;  h_q <= h_i;  rowtok_q <= rowtok_i;  rq_q <= rq_i;
        bank_q <= bank_i;  fbank_q <= fbank_i;  hmult_q <= hmult_i;  hshift_q <= hshift_i;
      end
    end
  end

  // pbuf: ctl_smx writes its bank; the V walk reads this head-step's
`ifdef SPATTN_MUTANT_BANK
  // mutant (make test-mutant-cosim): the back end reads the bank ctl_smx
  // writes now (a later head-step's), not its own
  wire [1:0] rd_bank = pb_bank_i;
`else
  wire [1:0] rd_bank = bank_q;
`endif
  localparam integer PLW = (Lanes > 1) ? $clog2(Lanes) : 0;  // lane bits of a position
  wire [Lanes*16-1:0] pb_rd;
  genvar pj;
  generate
    for (pj = 0; pj < Lanes; pj = pj + 1) begin : gen_pb
      // memory of the positions = pj mod Lanes, three banks: one write port
      reg [15:0] mem_q [0:3*(MaxTokens/Lanes)-1];
      always @(posedge clk_i) begin
        if (pb_we_i[pj])
          mem_q[{pb_bank_i, pb_wa_i[TIW-1:PLW]}] <= pb_wd_i[pj*16 +: 16];
      end
      assign pb_rd[pj*16 +: 16] = mem_q[{rd_bank, vk_pos_i[TIW-1:PLW]}];
    end
    if ((Lanes & (Lanes - 1)) != 0 || Lanes >= MaxTokens) begin : gen_chk_pb
      $error("ctl_back: Lanes must be a power of two below MaxTokens");
    end
  endgenerate
  // p of a kept value: lane 0 of a line clears the line's other lanes, so a
  // partial last line feeds p = 0 to the idle pv lanes
  wire [15:0] vp_wd;
  generate
    if (Lanes > 1) begin : gen_vp_sel
      assign vp_wd = pb_rd[vk_pos_i[PLW-1:0] * 16 +: 16];
      // the row's first position: its lane bits are 0
      wire unused_wa = ^pb_wa_i[PLW-1:0];
    end else begin : gen_vp_one
      assign vp_wd = pb_rd;
    end
  endgenerate
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
    phase_o = 4'd0;
    stage_o = `SP_BST_NONE;
    case (state_q)
      BkVFetch:                    begin phase_o = PhVFetch; stage_o = `SP_BST_VFETCH; end
      BkPvStart, BkPv, BkPvWait:   begin phase_o = PhPv;     stage_o = `SP_BST_PV; end
      BkHImp, BkStepEnd:           begin phase_o = PhOut;    stage_o = `SP_BST_OUT; end
      default: ;
    endcase
  end

  assign idle_o   = state_q == BkIdle;
  assign fbank_o  = fbank_q;
  assign it_o     = it_q;
  assign l_o      = l_q;
  assign h_o      = h_q;
  assign rowtok_o = rowtok_q;
  assign hmult_o  = hmult_q;
  assign hshift_o = hshift_q;
  assign v_lsb_o  = rq_q;

  assign vb_line_o     = pl_q[VLW-1:0];
  assign vb_full_o     = rq_q;
  assign pv_in_valid_o = state_q == BkPv;
  assign pv_in_last_o  = (pl_q + 1'b1 == vlines) && (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1);
  assign pv_in_p_o     = vp_q[pl_q[VLW-1:0]];
  generate
    if (VF == 1) begin : gen_v_whole
      assign pv_in_v_o = vb_data_i;
    end else begin : gen_v_fold
      assign pv_in_v_o = vb_data_i[pb_q * NPv * 16 +: NPv * 16];
    end
  endgenerate
  assign wb_valid_o = state_q == BkHImp;
endmodule
