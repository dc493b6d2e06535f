// controller.v - sequencing of iterations, layers, active heads and query
// rows with cascade token and head pruning (docs/spec.md s10; C:
// cmodel/controller.c sp_run_model, cmodel/head.c sp_head_step).
//
// Active sets: token t is in A_l iff depth[t] > l, head h is in H_l iff
// hdepth[h] > l. Every set starts full (depth = layers). Pruning after layer
// l ranks the members of A_l+1 (depth > l + 1) by importance, keeps the top
// min(|A_l+1|, keep(|A_l|)) and sets depth = l + 1 for the others: they
// leave A_l+1 and every later set, and A_0 ... stay nested (spec s10).
//
// One head-step (docs/rtl.md s5), phase by phase:
//   Q row -> K MSB planes of the active tokens into kbuf -> qk -> softmax
//   -> requant? (K LSB planes into kbuf, qk on full keys, softmax again)
//   -> probabilities stream: prob buffer, selection keys, token importance
//   -> topk (local value pruning) -> V rows of the kept tokens into vbuf
//   (MSB planes, and LSB planes when requantized) -> pv -> head importance
//   -> outputs. After the heads of a layer: token top-k, head top-k.
// Every result the C model reports is also put on the observation port
// (obs_*), one item per cycle, for the co-simulation checker.
// Address-map fields and region codes, observation kinds, fixed-point
// widths and limits: sp_defs.vh (defs/spattn.defs, shared with cmodel/ and sim/).
`include "sp_defs.vh"
module controller #(
  parameter integer D         = 64,    // head dimension of the hardware
  parameter integer MaxTokens = 1024,  // kbuf rows = max tokens (power of two, >= 64)
  parameter integer MaxVals   = 256,   // vbuf rows = max kept values (power of two)
  parameter integer NQk       = 64,
  parameter integer NPv       = 64,
  parameter integer NCmp      = 16,    // top-k keys per beat (power of two)
  parameter integer VLsb      = 4      // V LSB planes (0: a requant fetches no V LSB rows)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 start_i,
  output wire                 busy_o,
  output wire                 done_o,
  output wire                 init_o,        // RAM initialisation phase
  output reg  [3:0]           phase_o,       // what the cycle is spent on (docs/rtl.md s6)
  // run registers (held stable while busy)
  input  wire                 cfg_decode_i,
  input  wire [6:0]           cfg_layers_i,  // 1..64
  input  wire [6:0]           cfg_heads_i,   // 1..64
  input  wire [14:0]          cfg_ctx_i,
  input  wire [14:0]          cfg_iters_i,   // 1.. (1 for encoder)
  input  wire [8:0]           cfg_d_i,       // trace d, 1..D
  input  wire [16:0]          cfg_token_keep_i,  // Q16
  input  wire [6:0]           cfg_token_start_i,
  input  wire [16:0]          cfg_head_keep_i,
  input  wire [6:0]           cfg_head_start_i,
  input  wire [16:0]          cfg_value_keep_i,
  // fetcher
  output reg                  row_valid_o,
  input  wire                 row_ready_i,
  output reg  [`SP_ADDR_REGION_BITS-1:0] row_region_o,
  output wire [`SP_ADDR_LAYER_BITS-1:0]  row_layer_o,
  output wire [`SP_ADDR_HEAD_BITS-1:0]   row_head_o,
  output reg  [`SP_ADDR_INDEX_BITS-1:0]  row_index_o,
  output reg  [TIW-1:0]       row_slot_o,
  input  wire                 fetch_valid_i,
  input  wire [`SP_ADDR_REGION_BITS-1:0] fetch_region_i,
  input  wire [D*16-1:0]      fetch_row_i,
  // kbuf read
  output wire [KLW-1:0]       kb_line_o,
  output wire                 kb_full_o,
  input  wire [KPB*D*16-1:0]  kb_data_i,
  // qk
  output wire [D*16-1:0]      q_o,
  output wire [15:0]          mult_o,
  output wire [5:0]           shift_o,
  // head importance multiplier and shift of the current head (spec s9)
  output wire [15:0]          himp_mult_o,
  output wire [5:0]           himp_shift_o,
  output wire                 qk_k_valid_o,
  input  wire                 qk_k_ready_i,
  output wire [NQk*16-1:0]    qk_k_data_o,
  input  wire                 qk_y_valid_i,
  output wire                 qk_y_ready_o,
  input  wire [KPB*`SP_LOGIT_BITS-1:0]    qk_y_i,
  // softmax
  output wire                 sm_start_o,
  output wire [TCW-1:0]       sm_n_o,
  output wire                 sm_abort_o,
  output wire                 sm_y_valid_o,
  input  wire                 sm_y_ready_i,
  output wire [`SP_LOGIT_BITS-1:0]          sm_y_o,
  input  wire                 sm_info_valid_i,
  input  wire                 sm_p_valid_i,
  output wire                 sm_p_ready_o,
  input  wire [15:0]          sm_p_i,
  input  wire [15:0]          sm_pmax_i,     // pmax of the softmax just finished
  input  wire                 rq_i,          // requant unit's decision on pmax
  // topk
  output wire                 tk_start_o,
  output wire [TCW-1:0]       tk_n_o,
  output wire [TCW-1:0]       tk_k_o,
  output wire                 tk_in_valid_o,
  input  wire                 tk_in_ready_i,
  output wire [NCmp*`SP_IMP_BITS-1:0]   tk_in_keys_o,
  input  wire                 tk_done_i,
  input  wire                 tk_out_valid_i,
  output wire                 tk_out_ready_o,
  input  wire [NCmp-1:0]      tk_out_kept_i,
  // vbuf read and pv
  output wire [VLW-1:0]       vb_line_o,
  output wire                 vb_full_o,
  input  wire [TPB*D*16-1:0]  vb_data_i,
  output wire                 pv_start_o,
  output wire                 pv_in_valid_o,
  input  wire                 pv_in_ready_i,
  output wire                 pv_in_last_o,
  output wire [TPB*16-1:0]    pv_in_p_o,
  output wire [NPv*16-1:0]    pv_in_v_o,
  input  wire                 pv_out_valid_i,
  // output write-back (writer)
  output wire                 wb_valid_o,
  input  wire                 wb_ready_i,
  output wire [`SP_ADDR_INDEX_BITS-1:0] wb_index_o,
  input  wire                 wb_idle_i,
  // importance (combinational unit)
  output wire [`SP_IMP_BITS-1:0]          imp_tok_acc_o,
  output wire [15:0]          imp_tok_p_o,
  input  wire [`SP_IMP_BITS-1:0]          imp_tok_sum_i,
  output wire [`SP_IMP_BITS-1:0]          imp_head_acc_o,
  input  wire [`SP_IMP_BITS-1:0]          imp_head_sum_i,
  // observation port
  output wire [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output wire [13:0]          obs_it_o,
  output wire [5:0]           obs_layer_o,
  output wire [5:0]           obs_head_o,
  output wire [13:0]          obs_row_o,
  output wire [15:0]          obs_idx_o,
  output wire [`SP_IMP_BITS-1:0]          obs_data_o
);
  // ---------------------------------------------------------------- sizes
  localparam integer TIW  = $clog2(MaxTokens);       // token index
  localparam integer TCW  = TIW + 1;                 // token count
  localparam integer VIW  = $clog2(MaxVals);
  localparam integer KPB  = (NQk >= D) ? NQk / D : 1;  // keys per qk beat
  localparam integer KF   = (NQk >= D) ? 1 : D / NQk;  // qk beats per key
  localparam integer TPB  = (NPv >= D) ? NPv / D : 1;  // tokens per pv beat
  localparam integer VF   = (NPv >= D) ? 1 : D / NPv;  // pv beats per token
  localparam integer KPBW = (KPB > 1) ? $clog2(KPB) : 0;
  localparam integer TPBW = (TPB > 1) ? $clog2(TPB) : 0;
  localparam integer CW   = (NCmp > 1) ? $clog2(NCmp) : 0;
  localparam integer KLW  = TIW - KPBW;              // kbuf line index
  localparam integer VLW  = VIW - TPBW;              // vbuf line index
  localparam integer SLW  = TIW - CW;                // selection line index
  localparam integer KFW  = (KF > 1) ? $clog2(KF) : 1;
  localparam integer VFW  = (VF > 1) ? $clog2(VF) : 1;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("controller: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (MaxVals < 2 || (MaxVals & (MaxVals - 1)) != 0 || MaxVals > MaxTokens) begin : gen_chk_vals
      $error("controller: MaxVals must be a power of two, 2..MaxTokens");
    end
    if ((KPB & (KPB - 1)) != 0 || (KF & (KF - 1)) != 0 || (TPB & (TPB - 1)) != 0 ||
        (VF & (VF - 1)) != 0 || KPB >= MaxTokens || TPB >= MaxVals) begin : gen_chk_lanes
      $error("controller: NQk/D, D/NQk, NPv/D, D/NPv must be powers of two below the buffer depths");
    end
    if (NCmp < 1 || (NCmp & (NCmp - 1)) != 0 || NCmp > MaxTokens / 2) begin : gen_chk_cmp
      $error("controller: NCmp must be a power of two, at most MaxTokens/2");
    end
    if (D < 3 || D > `SP_MAX_D) begin : gen_chk_d
      $error("controller: D must be 3..SP_MAX_D (the scale row's fields reach bit 45 of a D x 16-bit row)");
    end
  endgenerate

  // regions of the address map (docs/rtl.md s2; sp_defs.vh)
  localparam [`SP_ADDR_REGION_BITS-1:0] RScale = `SP_REGION_SCALE, RQ = `SP_REGION_Q,
                   RKMsb = `SP_REGION_K_MSB, RKLsb = `SP_REGION_K_LSB, RVMsb = `SP_REGION_V_MSB,
                   RVLsb = `SP_REGION_V_LSB;
  // observation kinds (docs/rtl.md s4; sp_defs.vh, decoded by sim/checker.cpp)
  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OProb = `SP_OBS_PROB,
                   ORequant = `SP_OBS_REQUANT, OVKept = `SP_OBS_VKEPT, OOut = `SP_OBS_OUT,
                   OStepEnd = `SP_OBS_STEP_END, OTokImp = `SP_OBS_TOK_IMP,
                   OTokKeep = `SP_OBS_TOK_KEEP,
                   OTokEnd = `SP_OBS_TOK_END, OHeadImp = `SP_OBS_HEAD_IMP,
                   OHeadKeep = `SP_OBS_HEAD_KEEP, OHeadEnd = `SP_OBS_HEAD_END;
  // selection kinds
  localparam [1:0] SelVal = 2'd0, SelTok = 2'd1, SelHead = 2'd2;

  localparam [5:0]
    SIdle = 6'd0, SInit = 6'd1, SList = 6'd2, SHScan = 6'd3, SScaleReq = 6'd4,
    SQReq = 6'd6, SQkStart = 6'd9,
    SQk = 6'd10, SSmWait = 6'd11, SAbort = 6'd12, SPStream = 6'd13, SSelStart = 6'd14,
    SSelIn = 6'd15, SSelWait = 6'd16, SSelFlags = 6'd17, SVWalk = 6'd18, SVWait = 6'd19,
    SPvStart = 6'd20, SPv = 6'd21, SPvWait = 6'd22, SHImp = 6'd23, 
    SStepEnd = 6'd25, SNextRow = 6'd26, SLayerEnd = 6'd27, STGather = 6'd28, STWalk = 6'd29,
    STEnd = 6'd30, SHPChk = 6'd31, SHGather = 6'd32, SHWalk = 6'd33, SHEnd = 6'd34,
    SNextL = 6'd35, SDone = 6'd36, SDrain = 6'd37;

  // keep(n, r16) = 0 if n = 0 else max(1, (n * r16 + 2^15) >> 16)  (spec s7):
  // the result is <= n since r <= 2^16, so the sum's top bit and its 16
  // fraction bits are not needed
  /* verilator lint_off UNUSEDSIGNAL */
  function automatic [TCW-1:0] keep_count(input [TCW-1:0] n, input [16:0] r);
    reg [TCW+16:0] prod;
    begin
      prod = {17'd0, n} * {{TCW{1'b0}}, r} + {{TCW{1'b0}}, 17'h08000};
      if (n == {TCW{1'b0}})
        keep_count = {TCW{1'b0}};
      else if (prod[TCW+15:16] == {TCW{1'b0}})
        keep_count = {{(TCW-1){1'b0}}, 1'b1};
      else
        keep_count = prod[TCW+15:16];
    end
  endfunction
  /* verilator lint_on UNUSEDSIGNAL */

  // ------------------------------------------------------------ memories
  reg [6:0]       depth_q  [0:MaxTokens-1];  // token t in A_l iff depth > l
  reg [`SP_IMP_BITS-1:0]      imp_q    [0:MaxTokens-1];  // token importance
  reg [TIW-1:0]   tok_q    [0:MaxTokens-1];  // active list of the layer
  reg [15:0]      pbuf_q   [0:MaxTokens-1];  // probabilities by position
  reg [NCmp*`SP_IMP_BITS-1:0] skey_q [0:(MaxTokens/NCmp)-1];  // selection keys
  reg [NCmp-1:0]  sflag_q  [0:(MaxTokens/NCmp)-1];  // kept flags from topk
  reg [TPB*16-1:0] vp_q    [0:(MaxVals/TPB)-1];     // p of kept values
  reg [6:0]       hdepth_q [0:63];
  reg [`SP_IMP_BITS-1:0]      himp_q   [0:63];
  reg [5:0]       hlist_q  [0:63];

  // ------------------------------------------------------------ registers
  reg [5:0]       state_q, state_d;
  reg [14:0]      it_q, it_d;
  reg [6:0]       l_q, l_d;
  reg [6:0]       h_q, h_d;
  reg [TCW-1:0]   ri_q, ri_d;          // query row position (encoder)
  reg [TIW-1:0]   rowtok_q, rowtok_d;  // query row token (encoder)
  reg [TCW-1:0]   n_q, n_d;            // |A_l|
  reg [14:0]      cnt_q, cnt_d;        // scan / issue position
  reg [TCW-1:0]   fdone_q, fdone_d;    // fetched rows of the phase
  reg             pass2_q, pass2_d;
  reg             rq_q, rq_d;
  reg             qok_q, qok_d;        // q of the current row has arrived
  reg [15:0]      mult_q, mult_d;
  reg [5:0]       shift_q, shift_d;
  reg [15:0]      hmult_q, hmult_d;
  reg [5:0]       hshift_q, hshift_d;
  reg [D*16-1:0]  qv_q, qv_d;
  reg [TCW-1:0]   kl_q, kl_d;          // qk: kbuf lines sent
  reg [KFW-1:0]   kb_q, kb_d;          // qk: beat within a key
  reg [TCW-1:0]   yrecv_q, yrecv_d;    // logits out of qk
  reg [KPB*`SP_LOGIT_BITS-1:0] ser_q, ser_d;
  reg [KPBW:0]    sercnt_q, sercnt_d;
  reg [KPBW:0]    seridx_q, seridx_d;
  reg [TCW-1:0]   yfed_q, yfed_d;      // logits into softmax
  reg [1:0]       skind_q, skind_d;
  reg [TCW-1:0]   sn_q, sn_d, sk_q, sk_d;
  reg [TCW-1:0]   sline_q, sline_d, fline_q, fline_d;
  reg             sdone_q, sdone_d;
  reg [TCW-1:0]   wj_q, wj_d;          // kept values issued
  reg             wsub_q, wsub_d;      // 1: LSB row of the kept value next
  reg [TCW-1:0]   pl_q, pl_d;          // pv lines sent
  reg [VFW-1:0]   pb_q, pb_d;          // pv beat within a token
  reg [6:0]       hm_q, hm_d;          // heads in the head selection (H_l+1)
  reg [6:0]       hl_q, hl_d;          // |H_l| during the head gather
  reg [TCW-1:0]   m_q, m_d;            // tokens in the token selection (A_l+1)
  reg [`SP_OBS_KIND_BITS-1:0] okind_q, okind_d;
  reg [15:0]      oidx_q, oidx_d;
  reg [`SP_IMP_BITS-1:0]      odata_q, odata_d;

  // ------------------------------------------------------------ helpers
  wire [14:0] npres = cfg_decode_i ? (cfg_ctx_i + it_q + 15'd1) : cfg_ctx_i;  // tokens present
  wire        last_layer = (l_q + 7'd1 == cfg_layers_i);
  wire [TIW-1:0] cpos = cnt_q[TIW-1:0];
  wire [TIW-1:0] ctok = tok_q[cpos];                    // token at the scan position
  wire [TCW-1:0] cnt_t = cnt_q[TCW-1:0];
  wire [TCW-1:0] klines = (n_q + KPB[TCW-1:0] - 1'b1) >> KPBW;
  wire [TCW-1:0] slines = (sn_q + NCmp[TCW-1:0] - 1'b1) >> CW;
  wire [TCW-1:0] vlines = (wj_q + TPB[TCW-1:0] - 1'b1) >> TPBW;
  wire           vlsb   = rq_q && (VLsb > 0);                    // kept values need LSB rows
  wire [TCW-1:0] vwant  = vlsb ? {wj_q[TCW-2:0], 1'b0} : wj_q;  // V rows to arrive
  wire [TCW-1:0] n_rem  = n_q - yrecv_q;
  // line and lane of a position in the selection buffers
  localparam integer CWW = (CW > 0) ? CW : 1;
  wire [CWW-1:0] cpos_lane, skey_lane;
  wire [NCmp-1:0] sflag_line = sflag_q[cpos[TIW-1:CW]];
  wire           sflag = sflag_line[cpos_lane];

  generate
    if (CW > 0) begin : gen_lane
      assign cpos_lane = cpos[CWW-1:0];
      assign skey_lane = skey_wa[CWW-1:0];
    end else begin : gen_nolane
      assign cpos_lane = 1'b0;
      assign skey_lane = 1'b0;
    end
  endgenerate

  // value walk: the next kept position at or after cpos in its selection
  // line (a priority encoder), so the walk spends a cycle per kept value and
  // per line, not per position
  wire          nk_found;
  wire [TIW-1:0] kpos;
  generate
    if (CW > 0) begin : gen_kpos
      reg [CWW-1:0] nk_lane;
      reg           nk_any;
      integer       li;
      always @(*) begin
        nk_any = 1'b0;
        nk_lane = {CWW{1'b0}};
        for (li = NCmp - 1; li >= 0; li = li - 1)
          if (sflag_line[li] && li >= {{(32-CWW){1'b0}}, cpos_lane}) begin
            nk_any = 1'b1;
            nk_lane = li[CWW-1:0];
          end
      end
      assign nk_found = nk_any;
      assign kpos = {cpos[TIW-1:CW], nk_lane};
    end else begin : gen_kpos1
      assign nk_found = sflag_line[0];
      assign kpos = cpos;
    end
  endgenerate
  wire [TIW-1:0] ktok = tok_q[kpos];
  wire [15:0]    cnt16 = {1'b0, cnt_q};
  wire [15:0]    n16 = {{(16-TCW){1'b0}}, n_q};
  wire [14:0]    next_line = ((cnt_q >> CW) + 15'd1) << CW;

  // fetch completions of the current phase
  wire f_k   = fetch_valid_i && (fetch_region_i == RKMsb || fetch_region_i == RKLsb);
  wire f_v   = fetch_valid_i && (fetch_region_i == RVMsb || fetch_region_i == RVLsb);

  // memory write ports (driven by the FSM below)
  reg             depth_we;  reg [TIW-1:0] depth_wa;  reg [6:0]  depth_wd;
  reg             imp_we;    reg [TIW-1:0] imp_wa;    reg [`SP_IMP_BITS-1:0] imp_wd;
  reg             tok_we;    reg [TIW-1:0] tok_wa;    reg [TIW-1:0] tok_wd;
  reg             pbuf_we;   reg [TIW-1:0] pbuf_wa;
  reg             skey_we;   reg [TIW-1:0] skey_wa;   reg [`SP_IMP_BITS-1:0] skey_wd;
  reg             sflag_we;  reg [SLW-1:0] sflag_wa;
  reg             vp_we;     reg [VIW-1:0] vp_wa;     reg [15:0] vp_wd;
  reg             hdepth_we; reg [5:0]     hdepth_wa; reg [6:0]  hdepth_wd;
  reg             himp_we;   reg [5:0]     himp_wa;   reg [`SP_IMP_BITS-1:0] himp_wd;
  reg             hlist_we;  reg [5:0]     hlist_wa;

  // unit handshakes decided combinationally below
  reg sm_start, sm_abort, tk_start, pv_start;
  wire k_fire  = qk_k_valid_o && qk_k_ready_i;
  wire y_fire  = qk_y_valid_i && qk_y_ready_o;
  wire sy_fire = sm_y_valid_o && sm_y_ready_i;
  wire p_fire  = sm_p_valid_i && sm_p_ready_o;
  wire ti_fire = tk_in_valid_o && tk_in_ready_i;
  wire to_fire = tk_out_valid_i && tk_out_ready_o;
  wire pv_fire = pv_in_valid_o && pv_in_ready_i;
  wire row_fire = row_valid_o && row_ready_i;

  // importance update of the token at the p-stream position
  wire [TIW-1:0] ptok = tok_q[yfed_q[TIW-1:0]];
  assign imp_tok_acc_o = imp_q[ptok];
  assign imp_tok_p_o   = sm_p_i;
  assign imp_head_acc_o = himp_q[h_q[5:0]];

  always @(*) begin
    state_d = state_q;  it_d = it_q;  l_d = l_q;  h_d = h_q;  ri_d = ri_q;  rowtok_d = rowtok_q;
    n_d = n_q;  cnt_d = cnt_q;  fdone_d = fdone_q;  pass2_d = pass2_q;  rq_d = rq_q;  qok_d = qok_q;
    mult_d = mult_q;  shift_d = shift_q;  hmult_d = hmult_q;  hshift_d = hshift_q;  qv_d = qv_q;  kl_d = kl_q;  kb_d = kb_q;
    yrecv_d = yrecv_q;  ser_d = ser_q;  sercnt_d = sercnt_q;  seridx_d = seridx_q;
    yfed_d = yfed_q;  skind_d = skind_q;  sn_d = sn_q;  sk_d = sk_q;  sline_d = sline_q;
    fline_d = fline_q;  sdone_d = sdone_q;  wj_d = wj_q;  wsub_d = wsub_q;  pl_d = pl_q;
    pb_d = pb_q;  hm_d = hm_q;  hl_d = hl_q;  m_d = m_q;
    okind_d = ONone;  oidx_d = oidx_q;  odata_d = odata_q;
    row_valid_o = 1'b0;  row_region_o = RScale;  row_index_o = {`SP_ADDR_INDEX_BITS{1'b0}};
    row_slot_o = {TIW{1'b0}};
    sm_start = 1'b0;  sm_abort = 1'b0;  tk_start = 1'b0;  pv_start = 1'b0;
    depth_we = 1'b0;  depth_wa = cpos;  depth_wd = cfg_layers_i;
    imp_we = 1'b0;  imp_wa = cpos;  imp_wd = {`SP_IMP_BITS{1'b0}};
    tok_we = 1'b0;  tok_wa = n_q[TIW-1:0];  tok_wd = cpos;
    pbuf_we = 1'b0;  pbuf_wa = yfed_q[TIW-1:0];
    skey_we = 1'b0;  skey_wa = cpos;  skey_wd = {`SP_IMP_BITS{1'b0}};
    sflag_we = 1'b0;  sflag_wa = fline_q[SLW-1:0];
    vp_we = 1'b0;  vp_wa = wj_q[VIW-1:0];  vp_wd = pbuf_q[kpos];
    hdepth_we = 1'b0;  hdepth_wa = cnt_q[5:0];  hdepth_wd = cfg_layers_i;
    himp_we = 1'b0;  himp_wa = cnt_q[5:0];  himp_wd = {`SP_IMP_BITS{1'b0}};
    hlist_we = 1'b0;  hlist_wa = hm_q[5:0];

    // completions of fetched rows are counted in every phase; the scale
    // row (logit M, S and head importance Mv, Sv) and q are captured when
    // they arrive
    if (f_k || f_v)
      fdone_d = fdone_q + 1'b1;
    if (fetch_valid_i && fetch_region_i == RScale) begin
      mult_d = fetch_row_i[15:0];
      shift_d = fetch_row_i[21:16];
      hmult_d = fetch_row_i[39:24];
      hshift_d = fetch_row_i[45:40];
    end
    if (fetch_valid_i && fetch_region_i == RQ) begin
      qv_d = fetch_row_i;
      qok_d = 1'b1;
    end

    case (state_q)
      SIdle: begin
        if (start_i) begin
          state_d = SInit;
          cnt_d = 15'd0;
        end
      end
      // clear the token and head state (MaxTokens cycles, reported apart)
      SInit: begin
        depth_we = 1'b1;
        imp_we = 1'b1;
        if (cnt_q < 15'd64) begin
          hdepth_we = 1'b1;
          himp_we = 1'b1;
        end
        cnt_d = cnt_q + 15'd1;
        if (cnt_q == MaxTokens[14:0] - 15'd1) begin
          state_d = SList;
          it_d = 15'd0;
          l_d = 7'd0;
          cnt_d = 15'd0;
          n_d = {TCW{1'b0}};
        end
      end
      // A_l: scan the present tokens in index order
      SList: begin
        if (cnt_q == npres) begin
          state_d = SHScan;
          h_d = 7'd0;
        end else begin
          if (depth_q[cpos] > l_q) begin
            tok_we = 1'b1;
            n_d = n_q + 1'b1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      // next active head of the layer
      SHScan: begin
        if (h_q == cfg_heads_i) begin
          state_d = SLayerEnd;
        end else if (hdepth_q[h_q[5:0]] > l_q) begin
          state_d = SScaleReq;
          ri_d = {TCW{1'b0}};
        end else begin
          h_d = h_q + 7'd1;
        end
      end
      SScaleReq: begin
        row_valid_o = 1'b1;
        row_region_o = RScale;
        if (row_fire)
          state_d = SQReq;
      end
      SQReq: begin
        row_valid_o = 1'b1;
        row_region_o = RQ;
        row_index_o = cfg_decode_i ? it_q[`SP_ADDR_INDEX_BITS-1:0]
                                   : {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, tok_q[ri_q[TIW-1:0]]};
        // the K fetch starts at once; qk waits for q (responses come in
        // request order: scale, then q, then the K rows)
        if (row_fire) begin
          state_d = SQkStart;
          rowtok_d = cfg_decode_i ? {TIW{1'b0}} : tok_q[ri_q[TIW-1:0]];
          qok_d = 1'b0;
          pass2_d = 1'b0;
          rq_d = 1'b0;
        end
      end
      SQkStart: begin
        sm_start = 1'b1;
        state_d = SQk;
        cnt_d = 15'd0;
        fdone_d = {TCW{1'b0}};
        kl_d = {TCW{1'b0}};
        kb_d = {KFW{1'b0}};
        yrecv_d = {TCW{1'b0}};
        sercnt_d = {(KPBW+1){1'b0}};
        yfed_d = {TCW{1'b0}};
      end
      // K rows of the active tokens (MSB planes in pass 1, LSB planes in
      // pass 2) stream into kbuf while qk consumes every line whose rows
      // have arrived; logits serialised one per cycle into softmax
      SQk: begin
        if (cnt_t != n_q) begin
          row_valid_o = 1'b1;
          row_region_o = pass2_q ? RKLsb : RKMsb;
          row_index_o = {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, ctok};
          row_slot_o = cpos;
          if (row_fire)
            cnt_d = cnt_q + 15'd1;
        end
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
          if (yfed_q + 1'b1 == n_q)
            state_d = SSmWait;
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
            yrecv_d = n_q;
          end
        end
      end
      SSmWait: begin
        if (sm_info_valid_i) begin
          if (!pass2_q) begin
            rq_d = rq_i;
            okind_d = ORequant;
            oidx_d = 16'd0;
            odata_d = {16'd0, sm_pmax_i, 15'd0, rq_i};  // first-pass pmax and the decision
          end
          if (!pass2_q && rq_i) begin
            state_d = SAbort;
          end else begin
            state_d = SPStream;
            yfed_d = {TCW{1'b0}};
          end
        end
      end
      SAbort: begin
        sm_abort = 1'b1;
        pass2_d = 1'b1;
        state_d = SQkStart;
      end
      // final probabilities: buffer, selection keys, token importance
      SPStream: begin
        if (p_fire) begin
          pbuf_we = 1'b1;
          skey_we = 1'b1;
          skey_wa = yfed_q[TIW-1:0];
          skey_wd = {32'd0, sm_p_i};
          imp_we = 1'b1;
          imp_wa = ptok;
          imp_wd = imp_tok_sum_i;
          okind_d = OProb;
          oidx_d = {{(16-TIW){1'b0}}, ptok};
          odata_d = {32'd0, sm_p_i};
          yfed_d = yfed_q + 1'b1;
          if (yfed_q + 1'b1 == n_q) begin
            state_d = SSelStart;
            skind_d = SelVal;
            sn_d = n_q;
            sk_d = keep_count(n_q, cfg_value_keep_i);
          end
        end
      end
      // ---- top-k: start, stream the key lines, wait, collect kept flags
      SSelStart: begin
        tk_start = sn_q != {TCW{1'b0}};
        state_d = (sn_q != {TCW{1'b0}}) ? SSelIn : SSelFlags;
        sline_d = {TCW{1'b0}};
        fline_d = {TCW{1'b0}};
        sdone_d = 1'b0;
      end
      SSelIn: begin
        if (tk_done_i)
          sdone_d = 1'b1;
        if (ti_fire) begin
          sline_d = sline_q + 1'b1;
          if (sline_q + 1'b1 == slines)
            state_d = SSelWait;
        end
      end
      SSelWait: begin
        if (tk_done_i || sdone_q)
          state_d = SSelFlags;
      end
      SSelFlags: begin
        if (to_fire)
          sflag_we = 1'b1;
        if (to_fire || sn_q == {TCW{1'b0}}) begin
          fline_d = fline_q + 1'b1;
          if (fline_q + 1'b1 == slines || sn_q == {TCW{1'b0}}) begin
            cnt_d = 15'd0;
            wj_d = {TCW{1'b0}};
            wsub_d = 1'b0;
            fdone_d = {TCW{1'b0}};
            case (skind_q)
              SelVal:  state_d = SVWalk;
              SelTok:  state_d = STWalk;
              default: state_d = SHWalk;
            endcase
          end
        end
      end
      // ---- kept values: V rows (MSB, then LSB when requantized) into vbuf
      SVWalk: begin
        if (cnt16 >= n16) begin
          state_d = SVWait;
        end else if (!nk_found) begin
          cnt_d = next_line;
        end else if ({1'b0, kpos} >= n_q) begin
          state_d = SVWait;
        end else begin
          row_valid_o = 1'b1;
          row_region_o = wsub_q ? RVLsb : RVMsb;
          row_index_o = {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, ktok};
          row_slot_o = {{(TIW-VIW){1'b0}}, wj_q[VIW-1:0]};
          if (row_fire) begin
            if (vlsb && !wsub_q) begin
              wsub_d = 1'b1;
            end else begin
              wsub_d = 1'b0;
              vp_we = 1'b1;
              okind_d = OVKept;
              oidx_d = {{(16-TIW){1'b0}}, ktok};
              odata_d = {`SP_IMP_BITS{1'b0}};
              wj_d = wj_q + 1'b1;
              cnt_d = {{(15-TIW){1'b0}}, kpos} + 15'd1;
            end
          end
        end
      end
      SVWait: begin
        if (fdone_q == vwant)
          state_d = SPvStart;
      end
      SPvStart: begin
        pv_start = 1'b1;
        state_d = SPv;
        pl_d = {TCW{1'b0}};
        pb_d = {VFW{1'b0}};
      end
      SPv: begin
        if (pv_fire) begin
          if (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1) begin
            pb_d = {VFW{1'b0}};
            pl_d = pl_q + 1'b1;
            if (pl_q + 1'b1 == vlines)
              state_d = SPvWait;
          end else begin
            pb_d = pb_q + 1'b1;
          end
        end
      end
      SPvWait: begin
        if (pv_out_valid_i)
          state_d = SHImp;
      end
      // head importance; the output vector is observed whole (obs_vec_o of
      // spattn_top, held by pv until its next start)
      // held until the writer takes the output vector
      SHImp: begin
        if (wb_ready_i) begin
          himp_we = 1'b1;
          himp_wa = h_q[5:0];
          himp_wd = imp_head_sum_i;
          okind_d = OOut;
          oidx_d = {7'd0, cfg_d_i};
          odata_d = {`SP_IMP_BITS{1'b0}};
          state_d = SStepEnd;
        end
      end
      SStepEnd: begin
        okind_d = OStepEnd;
        oidx_d = 16'd0;
        odata_d = {`SP_IMP_BITS{1'b0}};
        state_d = SNextRow;
      end
      SNextRow: begin
        if (!cfg_decode_i && ri_q + 1'b1 != n_q) begin
          ri_d = ri_q + 1'b1;
          state_d = SQReq;
        end else begin
          h_d = h_q + 7'd1;
          state_d = SHScan;
        end
      end
      // ---- cascade token pruning after the layer
      SLayerEnd: begin
        cnt_d = 15'd0;
        m_d = {TCW{1'b0}};
        if (!last_layer && l_q >= cfg_token_start_i)
          state_d = STGather;
        else
          state_d = SHPChk;
      end
      // A_l+1 keeps its top min(|A_l+1|, keep(|A_l|)) by importance (spec
      // s10); its members are compacted in place at the front of tok_q
      STGather: begin
        if (cnt_t == n_q) begin
          state_d = SSelStart;
          skind_d = SelTok;
          sn_d = m_q;
          sk_d = (keep_count(n_q, cfg_token_keep_i) < m_q) ? keep_count(n_q, cfg_token_keep_i) : m_q;
        end else begin
          if (depth_q[ctok] > l_q + 7'd1) begin
            tok_we = 1'b1;
            tok_wa = m_q[TIW-1:0];
            tok_wd = ctok;
            skey_we = 1'b1;
            skey_wa = m_q[TIW-1:0];
            skey_wd = imp_q[ctok];
            okind_d = OTokImp;
            oidx_d = {{(16-TIW){1'b0}}, ctok};
            odata_d = imp_q[ctok];
            m_d = m_q + 1'b1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      STWalk: begin
        if (cnt_t == sn_q) begin
          state_d = STEnd;
        end else begin
          if (sflag) begin
            okind_d = OTokKeep;
            oidx_d = {{(16-TIW){1'b0}}, ctok};
            odata_d = {`SP_IMP_BITS{1'b0}};
          end else begin
            depth_we = 1'b1;
            depth_wa = ctok;
            depth_wd = l_q + 7'd1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      STEnd: begin
        okind_d = OTokEnd;
        oidx_d = 16'd0;
        odata_d = {`SP_IMP_BITS{1'b0}};
        state_d = SHPChk;
      end
      // ---- cascade head pruning after the layer
      SHPChk: begin
        cnt_d = 15'd0;
        hm_d = 7'd0;
        hl_d = 7'd0;
        if (!last_layer && l_q >= cfg_head_start_i)
          state_d = SHGather;
        else
          state_d = SNextL;
      end
      // H_l+1 keeps its top min(|H_l+1|, keep(|H_l|)) by importance
      SHGather: begin
        if (cnt_q[6:0] == cfg_heads_i) begin
          state_d = SSelStart;
          skind_d = SelHead;
          sn_d = {{(TCW-7){1'b0}}, hm_q};
          sk_d = (keep_count({{(TCW-7){1'b0}}, hl_q}, cfg_head_keep_i) < {{(TCW-7){1'b0}}, hm_q}) ?
                 keep_count({{(TCW-7){1'b0}}, hl_q}, cfg_head_keep_i) : {{(TCW-7){1'b0}}, hm_q};
        end else begin
          if (hdepth_q[cnt_q[5:0]] > l_q)
            hl_d = hl_q + 7'd1;
          if (hdepth_q[cnt_q[5:0]] > l_q + 7'd1) begin
            hlist_we = 1'b1;
            skey_we = 1'b1;
            skey_wa = {{(TIW-6){1'b0}}, hm_q[5:0]};
            skey_wd = himp_q[cnt_q[5:0]];
            okind_d = OHeadImp;
            oidx_d = {10'd0, cnt_q[5:0]};
            odata_d = himp_q[cnt_q[5:0]];
            hm_d = hm_q + 7'd1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      SHWalk: begin
        if (cnt_q[6:0] == hm_q) begin
          state_d = SHEnd;
        end else begin
          if (sflag) begin
            okind_d = OHeadKeep;
            oidx_d = {10'd0, hlist_q[cnt_q[5:0]]};
            odata_d = {`SP_IMP_BITS{1'b0}};
          end else begin
            hdepth_we = 1'b1;
            hdepth_wa = hlist_q[cnt_q[5:0]];
            hdepth_wd = l_q + 7'd1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      SHEnd: begin
        okind_d = OHeadEnd;
        oidx_d = 16'd0;
        odata_d = {`SP_IMP_BITS{1'b0}};
        state_d = SNextL;
      end
      SNextL: begin
        cnt_d = 15'd0;
        n_d = {TCW{1'b0}};
        if (!last_layer) begin
          l_d = l_q + 7'd1;
          state_d = SList;
        end else if (it_q + 15'd1 != cfg_iters_i) begin
          l_d = 7'd0;
          it_d = it_q + 15'd1;
          state_d = SList;
        end else begin
          state_d = SDrain;
        end
      end
      // the last output write leaves before done
      SDrain: begin
        if (wb_idle_i)
          state_d = SDone;
      end
      SDone: begin
        if (start_i) begin
          state_d = SInit;
          cnt_d = 15'd0;
        end
      end
      default: state_d = SIdle;
    endcase
  end

  // ------------------------------------------------------------ registers
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SIdle;  it_q <= 15'd0;  l_q <= 7'd0;  h_q <= 7'd0;
      ri_q <= {TCW{1'b0}};  rowtok_q <= {TIW{1'b0}};  n_q <= {TCW{1'b0}};  cnt_q <= 15'd0;
      fdone_q <= {TCW{1'b0}};  pass2_q <= 1'b0;  rq_q <= 1'b0;  qok_q <= 1'b0;  mult_q <= 16'd1;
      hmult_q <= 16'd1;  hshift_q <= 6'd0;
      shift_q <= 6'd0;  qv_q <= {D*16{1'b0}};  kl_q <= {TCW{1'b0}};  kb_q <= {KFW{1'b0}};
      yrecv_q <= {TCW{1'b0}};  ser_q <= {KPB*`SP_LOGIT_BITS{1'b0}};  sercnt_q <= {(KPBW+1){1'b0}};
      seridx_q <= {(KPBW+1){1'b0}};  yfed_q <= {TCW{1'b0}};  skind_q <= SelVal;
      sn_q <= {TCW{1'b0}};  sk_q <= {TCW{1'b0}};  sline_q <= {TCW{1'b0}};
      fline_q <= {TCW{1'b0}};  sdone_q <= 1'b0;  wj_q <= {TCW{1'b0}};  wsub_q <= 1'b0;
      pl_q <= {TCW{1'b0}};  pb_q <= {VFW{1'b0}};  hm_q <= 7'd0;  hl_q <= 7'd0;
      m_q <= {TCW{1'b0}};
      okind_q <= ONone;  oidx_q <= 16'd0;  odata_q <= {`SP_IMP_BITS{1'b0}};
    end else begin
      state_q <= state_d;  it_q <= it_d;  l_q <= l_d;  h_q <= h_d;  ri_q <= ri_d;
      rowtok_q <= rowtok_d;  n_q <= n_d;  cnt_q <= cnt_d;  fdone_q <= fdone_d;
      pass2_q <= pass2_d;  rq_q <= rq_d;  qok_q <= qok_d;  mult_q <= mult_d;  shift_q <= shift_d;
      hmult_q <= hmult_d;  hshift_q <= hshift_d;  qv_q <= qv_d;
      kl_q <= kl_d;  kb_q <= kb_d;  yrecv_q <= yrecv_d;  ser_q <= ser_d;  sercnt_q <= sercnt_d;
      seridx_q <= seridx_d;  yfed_q <= yfed_d;  skind_q <= skind_d;  sn_q <= sn_d;
      sk_q <= sk_d;  sline_q <= sline_d;  fline_q <= fline_d;  sdone_q <= sdone_d;
      wj_q <= wj_d;  wsub_q <= wsub_d;  pl_q <= pl_d;  pb_q <= pb_d;  hm_q <= hm_d;
      hl_q <= hl_d;  m_q <= m_d;
      okind_q <= okind_d;  oidx_q <= oidx_d;  odata_q <= odata_d;
    end
  end

  // memories: plain register arrays, not reset (SInit clears what matters)
  always @(posedge clk_i) begin
    if (depth_we)  depth_q[depth_wa] <= depth_wd;
    if (imp_we)    imp_q[imp_wa] <= imp_wd;
    if (tok_we)    tok_q[tok_wa] <= tok_wd;
    if (pbuf_we)   pbuf_q[pbuf_wa] <= sm_p_i;
    if (skey_we)   skey_q[skey_wa[TIW-1:CW]][skey_lane * `SP_IMP_BITS +: `SP_IMP_BITS] <= skey_wd;
    if (sflag_we)  sflag_q[sflag_wa] <= tk_out_kept_i;
    if (hdepth_we) hdepth_q[hdepth_wa] <= hdepth_wd;
    if (himp_we)   himp_q[himp_wa] <= himp_wd;
    if (hlist_we)  hlist_q[hlist_wa] <= cnt_q[5:0];
  end
  // p of a kept value: lane 0 of a line clears the line's other lanes, so
  // a partial last line feeds p = 0 to the idle pv lanes
  generate
    if (TPB > 1) begin : gen_vp_lanes
      always @(posedge clk_i) begin
        if (vp_we) begin
          if (vp_wa[TPBW-1:0] == {TPBW{1'b0}})
            vp_q[vp_wa[VIW-1:TPBW]] <= {{(TPB*16-16){1'b0}}, vp_wd};
          else
            vp_q[vp_wa[VIW-1:TPBW]][vp_wa[TPBW-1:0] * 16 +: 16] <= vp_wd;
        end
      end
    end else begin : gen_vp_one
      always @(posedge clk_i) begin
        if (vp_we)
          vp_q[vp_wa] <= vp_wd;
      end
    end
  endgenerate

  // ------------------------------------------------------------ datapath wiring
  assign busy_o = state_q != SIdle && state_q != SDone;
  assign done_o = state_q == SDone;
  assign init_o = state_q == SInit;

  // phase of the cycle, for the cycles-by-phase counters
  localparam [3:0] PhIdle = 4'd0, PhScan = 4'd1, PhQFetch = 4'd2, PhQk = 4'd3, PhSoftmax = 4'd4,
                   PhRequant = 4'd5, PhVSel = 4'd6, PhVFetch = 4'd7, PhPv = 4'd8, PhOut = 4'd9,
                   PhPrune = 4'd10;
  always @(*) begin
    case (state_q)
      SList, SHScan, SNextRow, SLayerEnd, SHPChk, SNextL: phase_o = PhScan;
      SScaleReq, SQReq:             phase_o = PhQFetch;
      SQkStart, SQk:                phase_o = pass2_q ? PhRequant : PhQk;
      SSmWait:                      phase_o = pass2_q ? PhRequant : PhSoftmax;
      SAbort:                       phase_o = PhRequant;
      SPStream:                     phase_o = PhSoftmax;
      SSelStart, SSelIn, SSelWait, SSelFlags: phase_o = (skind_q == SelVal) ? PhVSel : PhPrune;
      SVWalk, SVWait:               phase_o = PhVFetch;
      SPvStart, SPv, SPvWait:       phase_o = PhPv;
      SHImp, SStepEnd, SDrain:      phase_o = PhOut;
      STGather, STWalk, STEnd, SHGather, SHWalk, SHEnd: phase_o = PhPrune;
      default:                      phase_o = PhIdle;
    endcase
  end

  assign row_layer_o = l_q[5:0];
  assign row_head_o  = h_q[5:0];

  assign q_o     = qv_q;
  assign mult_o  = mult_q;
  assign shift_o = shift_q;
  assign himp_mult_o  = hmult_q;
  assign himp_shift_o = hshift_q;
  assign kb_line_o = kl_q[KLW-1:0];
  assign kb_full_o = pass2_q;
  // a kbuf line is ready once all its rows have arrived (rows arrive in slot order)
  wire [TCW-1:0] klines_done = fdone_q >> KPBW;
  wire kline_ready = (kl_q < klines_done) || (fdone_q == n_q);
  assign qk_k_valid_o = state_q == SQk && qok_q && kl_q != klines && kline_ready;
  generate
    if (KF == 1) begin : gen_k_whole
      assign qk_k_data_o = kb_data_i;
    end else begin : gen_k_fold
      assign qk_k_data_o = kb_data_i[kb_q * NQk * 16 +: NQk * 16];
    end
  endgenerate
  assign qk_y_ready_o = (sercnt_q == {(KPBW+1){1'b0}}) ||
                        (sercnt_q == {{KPBW{1'b0}}, 1'b1} && sm_y_ready_i);

  assign sm_start_o   = sm_start;
  assign sm_n_o       = n_q;
  assign sm_abort_o   = sm_abort;
  assign sm_y_valid_o = state_q == SQk && sercnt_q != {(KPBW+1){1'b0}};
  assign sm_y_o       = ser_q[seridx_q[KPBW > 0 ? KPBW-1 : 0:0] * `SP_LOGIT_BITS +: `SP_LOGIT_BITS];
  assign sm_p_ready_o = state_q == SPStream;

  assign tk_start_o     = tk_start;
  assign tk_n_o         = sn_q;
  assign tk_k_o         = sk_q;
  assign tk_in_valid_o  = state_q == SSelIn && sline_q != slines;
  assign tk_in_keys_o   = skey_q[sline_q[SLW-1:0]];
  assign tk_out_ready_o = state_q == SSelFlags;

  assign vb_line_o     = pl_q[VLW-1:0];
  assign vb_full_o     = rq_q;
  assign pv_start_o    = pv_start;
  assign pv_in_valid_o = state_q == SPv;
  assign pv_in_last_o  = (pl_q + 1'b1 == vlines) && (VF == 1 || pb_q == VF[VFW-1:0] - 1'b1);
  assign pv_in_p_o     = vp_q[pl_q[VLW-1:0]];
  generate
    if (VF == 1) begin : gen_v_whole
      assign pv_in_v_o = vb_data_i;
    end else begin : gen_v_fold
      assign pv_in_v_o = vb_data_i[pb_q * NPv * 16 +: NPv * 16];
    end
  endgenerate

  assign wb_valid_o = state_q == SHImp;
  assign wb_index_o = cfg_decode_i ? it_q[`SP_ADDR_INDEX_BITS-1:0]
                                    : {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, rowtok_q};

  assign obs_kind_o  = okind_q;
  assign obs_it_o    = it_q[13:0];
  assign obs_layer_o = l_q[5:0];
  assign obs_head_o  = h_q[5:0];
  assign obs_row_o   = {{(14-TIW){1'b0}}, rowtok_q};
  assign obs_idx_o   = oidx_q;
  assign obs_data_o  = odata_q;
endmodule
