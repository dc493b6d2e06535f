// ctl_fetch.v - controller fetch requests: the row requests of a head-step
// to the fetcher (scale row, query row, K rows of the active tokens into
// kbuf slots, V rows of the kept values into vbuf slots) and the capture of
// what comes back (M, S, Mv, Sv from the scale row; q; the count of K and V
// rows arrived). docs/rtl.md s5. Walks share the one read port: the front
// end's (scale, q, K rows; ctl_seq starts the scale / query requests,
// ctl_front the K walk), the back end's V walk (ctl_back) and the K
// prefetch (below), each its own FSM. Rule: a walk, once started, issues
// all its requests in order; when several have a row in the same cycle the
// V walk's goes first (it serves the older head-step) and the others wait.
// Responses come in request order and carry their region and slot, which
// name their destination (scale / q registers, kbuf and its bank's K count,
// vbuf and the V count).
// With KvBuffers = 2 kbuf has two banks (slots of MaxTokens rows): the
// running front end reads bank kbank; a third walk, the prefetch, fetches
// the next head-step's K MSB rows into the other bank while the front end
// runs (ctl_seq names that head-step: of the layer, or the next layer's first
// where no pruning selection runs at the layer end). Port order: the V
// walk's row, then the running front end's (scale, q, K MSB or LSB), then
// the prefetch's. The next head-step's pass-1 K walk takes the prefetch's
// bank and count over (no row is fetched twice).
// A request moves up to FetchRows rows (hardware.fetch_rows): a K walk
// (front, LSB refetch, prefetch) requests the rest of its group of
// FetchRows aligned active-list positions at once (kbuf slots in one
// line); scale, q and V requests are one row each. K counts advance by a
// request's rows, and arrivals by a response's rows.
`include "sp_defs.vh"
module ctl_fetch #(
  parameter integer D         = 64,    // head dimension of the hardware
  parameter integer MaxTokens = 1024,  // kbuf rows (power of two, >= 64)
  parameter integer MaxVals   = 256,   // vbuf rows (power of two)
  parameter integer NCmp      = 16,    // selection flags per line (power of two)
  parameter integer VLsb      = 4,     // V LSB planes (0: no V LSB rows)
  parameter integer KvBuffers = 2,     // kbuf banks (hardware.kv_buffers): 2 = prefetch
  parameter integer FetchRows = 1      // rows a request (hardware.fetch_rows, at most a kbuf line)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 cfg_decode_i,
  input  wire [`SP_ADDR_INDEX_BITS-1:0] it_i,  // iteration (decode: the query row)
  input  wire [TCW-1:0]       n_i,           // |A_l|
  input  wire [`SP_ADDR_LAYER_BITS-1:0] l_i,  // front end's layer and head
  input  wire [`SP_ADDR_HEAD_BITS-1:0]  h_i,
  input  wire [`SP_ADDR_LAYER_BITS-1:0] bl_i, // back end's (the V walk's)
  input  wire [`SP_ADDR_HEAD_BITS-1:0]  bh_i,
  // requests (one-cycle pulses)
  input  wire                 row_start_i,   // a head-step's row: scale (row_scale_i) then q
  input  wire                 row_scale_i,
  output reg                  q_sent_o,      // the query row request has moved
  input  wire                 k_req_i,       // K rows of A_l into kbuf slots 0..n-1 (ctl_front)
  input  wire                 k_lsb_i,       // K LSB planes (pass 2), else MSB planes
  input  wire                 v_req_i,       // V rows of the kept values into vbuf slots (ctl_back)
  input  wire                 v_lsb_i,       // kept values need LSB rows too (requantized)
  output reg                  v_done_o,      // every kept value's rows have arrived
  input  wire                 pf_ok_i,       // ctl_seq: the next head-step is known
  input  wire [`SP_ADDR_HEAD_BITS-1:0] pf_head_i,  // ... its head
  input  wire [`SP_ADDR_LAYER_BITS-1:0] pf_layer_i, // ... its layer
  output wire                 kbank_o,       // kbuf bank of the running front end
  output wire                 pf_walk_o,     // the prefetch walk requests rows (coverage)
  // fetcher
  output reg                  row_valid_o,
  input  wire                 row_ready_i,
  output reg  [`SP_ADDR_REGION_BITS-1:0] row_region_o,
  output wire [`SP_ADDR_LAYER_BITS-1:0]  row_layer_o,
  output wire [`SP_ADDR_HEAD_BITS-1:0]   row_head_o,
  output reg  [FetchRows*`SP_ADDR_INDEX_BITS-1:0] row_index_o,  // row r's at [r*14 +: 14]
  output reg  [RNW-1:0]       row_rows_o,    // rows of the request (a K group; else 1)
  output reg  [KSW-1:0]       row_slot_o,    // {kbuf bank, slot} of row 0 (K rows), vbuf slot (V rows)
  input  wire                 fetch_valid_i,
  input  wire [`SP_ADDR_REGION_BITS-1:0] fetch_region_i,
  input  wire [RNW-1:0]       fetch_rows_i,  // rows of the response
  input  wire                 fetch_kbank_i, // kbuf bank of a K row (its slot's top bit)
  input  wire [D*16-1:0]      fetch_row_i,
  // what arrived
  output wire [TCW-1:0]       fdone_o,       // K rows arrived since the K walk began
  output wire                 qok_o,         // q of the current row has arrived
  output wire [D*16-1:0]      q_o,
  output wire [15:0]          mult_o,
  output wire [5:0]           shift_o,
  output wire [15:0]          hmult_o,
  output wire [5:0]           hshift_o,
  output wire [TIW-1:0]       rowtok_o,      // token of the query row (encoder)
  output wire [TCW-1:0]       vkept_o,       // kept values requested
  output wire [1:0]           busy_o,        // bit 0: a front-end walk, bit 1: the V walk
  // value walk: kept value at selection position vk_pos_o goes to vbuf slot vk_slot_o
  output reg                  vk_we_o,
  output wire [TIW-1:0]       vk_pos_o,
  output wire [VIW-1:0]       vk_slot_o,
  output wire [SLW-1:0]       sflag_ra_o,    // ctl_sel's kept flags, line of the walk position
  input  wire [NCmp-1:0]      sflag_rd_i,
  // active list (ctl_tables)
  input  wire [TIW-1:0]       ri_i,          // query row position
  output wire [TIW-1:0]       tok_row_ra_o,
  input  wire [TIW-1:0]       tok_row_rd_i,
  output wire [FetchRows*TIW-1:0] tok_k_ra_o,  // the K group's positions
  input  wire [FetchRows*TIW-1:0] tok_k_rd_i,
  output wire [TIW-1:0]       tok_v_ra_o,
  input  wire [TIW-1:0]       tok_v_rd_i,
  // observation (value kept): kind, index, this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output wire [15:0]          obs_idx_o
);
  localparam integer TIW  = $clog2(MaxTokens);
  localparam integer TCW  = TIW + 1;
  localparam integer VIW  = $clog2(MaxVals);
  localparam integer CW   = (NCmp > 1) ? $clog2(NCmp) : 0;
  localparam integer CWW  = (CW > 0) ? CW : 1;
  localparam integer SLW  = TIW - CW;
  localparam integer KBW  = (KvBuffers > 1) ? 1 : 0;  // kbuf bank bit
  localparam integer KSW  = TIW + KBW;
  localparam integer RNW  = $clog2(FetchRows + 1);
  localparam integer IXW  = `SP_ADDR_INDEX_BITS;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_fetch: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (MaxVals < 2 || (MaxVals & (MaxVals - 1)) != 0 || MaxVals > MaxTokens) begin : gen_chk_vals
      $error("ctl_fetch: MaxVals must be a power of two, 2..MaxTokens");
    end
    if (NCmp < 1 || (NCmp & (NCmp - 1)) != 0 || NCmp > MaxTokens / 2) begin : gen_chk_cmp
      $error("ctl_fetch: NCmp must be a power of two, at most MaxTokens/2");
    end
    if (D < 3 || D > `SP_MAX_D) begin : gen_chk_d
      $error("ctl_fetch: D must be 3..SP_MAX_D (the scale row's fields reach bit 45 of a D x 16-bit row)");
    end
    if (FetchRows < 1 || (FetchRows & (FetchRows - 1)) != 0 || FetchRows > MaxTokens) begin : gen_chk_rows
      $error("ctl_fetch: FetchRows must be a power of two, at most MaxTokens");
    end
    if (KvBuffers < 1 || KvBuffers > 2 || (KvBuffers > 1 && MaxTokens > `SP_MAX_TOKENS / 2)) begin : gen_chk_kvb
      $error("ctl_fetch: KvBuffers must be 1 or 2 (2: MaxTokens at most SP_MAX_TOKENS/2)");
    end
  endgenerate

  localparam [`SP_ADDR_REGION_BITS-1:0] RScale = `SP_REGION_SCALE, RQ = `SP_REGION_Q,
                   RKMsb = `SP_REGION_K_MSB, RKLsb = `SP_REGION_K_LSB, RVMsb = `SP_REGION_V_MSB,
                   RVLsb = `SP_REGION_V_LSB;
  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OVKept = `SP_OBS_VKEPT;

  // front-end walk
  localparam [1:0]
    FIdle  = 2'd0,
    FScale = 2'd1,
    FQ     = 2'd2,
    FK     = 2'd3;
  // back-end V walk
  localparam [1:0]
    VIdle  = 2'd0,
    VWalk  = 2'd1,
    VWait  = 2'd2;
  // prefetch walk (KvBuffers = 2)
  localparam [1:0]
    PIdle  = 2'd0,
    PWalk  = 2'd1,
    PHeld  = 2'd2;

  reg [1:0]      state_q, state_d;
  reg [1:0]      vstate_q, vstate_d;
  reg [1:0]      pstate_q, pstate_d;
  reg [14:0]     kc0_q, kc0_d;       // K rows requested into bank 0
  reg [14:0]     kc1_q, kc1_d;       // ... into bank 1
  reg [TCW-1:0]  kd0_q, kd0_d;       // K rows arrived in bank 0
  reg [TCW-1:0]  kd1_q, kd1_d;       // ... in bank 1
  reg            kbank_q, kbank_d;   // bank of the running front end
  reg            pbank_q, pbank_d;   // bank of the prefetch walk
  reg            kst_q, kst_d;       // the running head-step's K walk has begun
  reg [`SP_ADDR_HEAD_BITS-1:0] ph_q, ph_d;  // head of the prefetched head-step
  reg [`SP_ADDR_LAYER_BITS-1:0] pl_q, pl_d; // its layer (the next one across a layer end)
  reg [TCW-1:0]  pn_q, pn_d;         // its row count (latched with the look-ahead)
  reg [14:0]     vcnt_q, vcnt_d;     // V walk: selection position
  reg [TCW-1:0]  vdone_q, vdone_d;   // V rows arrived
  reg            qok_q, qok_d;
  reg [15:0]     mult_q, mult_d;
  reg [5:0]      shift_q, shift_d;
  reg [15:0]     hmult_q, hmult_d;
  reg [5:0]      hshift_q, hshift_d;
  reg [D*16-1:0] qv_q;               // the query row (own register with an enable, below)
  reg [TIW-1:0]  rowtok_q, rowtok_d;
  reg [TCW-1:0]  wj_q, wj_d;         // kept values issued
  reg            wsub_q, wsub_d;     // 1: LSB row of the kept value next
  // the two walks' rows; the V walk's goes first
  reg                             fr_valid, vr_valid, pr_valid;
  reg [`SP_ADDR_REGION_BITS-1:0]  fr_region, vr_region;
  reg [`SP_ADDR_INDEX_BITS-1:0]   fr_index, vr_index;
  reg [RNW-1:0]                   fr_rows;  // rows of the front walk's request

  wire [TCW-1:0] kc_f  = kbank_q ? kc1_q[TCW-1:0] : kc0_q[TCW-1:0];  // the running front end's K walk
  wire [TCW-1:0] kc_p  = pbank_q ? kc1_q[TCW-1:0] : kc0_q[TCW-1:0];  // the prefetch's
  wire [TIW-1:0] cpos  = kc_f[TIW-1:0];
  wire [TCW-1:0] cnt_t = kc_f;
  wire [TCW-1:0] pcnt_t = kc_p;
  wire           fk_row = state_q == FK && cnt_t != n_i;  // the front walk has a K row
  // a K request: the rest of the walk's group of FetchRows aligned
  // positions (walks issue whole groups from 0, so a group starts aligned)
  wire [TCW-1:0] fk_left = n_i - cnt_t;
  wire [TCW-1:0] pk_left = pn_q - pcnt_t;
  localparam integer FRI = FetchRows;
  localparam [TCW:0] FR1 = FRI[TCW:0];
  wire [RNW-1:0] fk_rows = ({1'b0, fk_left} >= FR1) ? FR1[RNW-1:0] : fk_left[RNW-1:0];
  wire [RNW-1:0] pk_rows = ({1'b0, pk_left} >= FR1) ? FR1[RNW-1:0] : pk_left[RNW-1:0];
  wire [14:0]    fk_add = {{(15-RNW){1'b0}}, fk_rows};
  wire [14:0]    pk_add = {{(15-RNW){1'b0}}, pk_rows};
  wire [TCW-1:0] f_arr = {{(TCW-RNW){1'b0}}, fetch_rows_i};  // K rows of the response
  wire [TIW-1:0] vpos  = vcnt_q[TIW-1:0];
  wire [TCW-1:0] vwant = v_lsb_i && (VLsb > 0) ? {wj_q[TCW-2:0], 1'b0} : wj_q;  // V rows to arrive
  wire [15:0]    vcnt16 = {1'b0, vcnt_q};
  wire [15:0]    n16   = {{(16-TCW){1'b0}}, n_i};
  wire [14:0]    next_line = ((vcnt_q >> CW) + 15'd1) << CW;
  wire           v_fire = vr_valid && row_ready_i;
  wire           f_fire = fr_valid && !vr_valid && row_ready_i;
  wire           p_fire = pr_valid && !fr_valid && !vr_valid && row_ready_i;
  wire           f_k = fetch_valid_i && (fetch_region_i == RKMsb || fetch_region_i == RKLsb);
  wire           f_v = fetch_valid_i && (fetch_region_i == RVMsb || fetch_region_i == RVLsb);

  // value walk: the next kept position at or after vpos in its selection
  // line (a priority encoder), so the walk spends a cycle per kept value and
  // per line, not per position
  wire           nk_found;
  wire [TIW-1:0] kpos;
  generate
    if (CW > 0) begin : gen_kpos
      wire [CWW-1:0] vpos_lane = vpos[CWW-1:0];
      reg  [CWW-1:0] nk_lane;
      reg            nk_any;
      integer        li;
      always @(*) begin
        nk_any = 1'b0;
        nk_lane = {CWW{1'b0}};
        for (li = NCmp - 1; li >= 0; li = li - 1)
          if (sflag_rd_i[li] && li >= {{(32-CWW){1'b0}}, vpos_lane}) begin
            nk_any = 1'b1;
            nk_lane = li[CWW-1:0];
          end
      end
      assign nk_found = nk_any;
      assign kpos = {vpos[TIW-1:CW], nk_lane};
    end else begin : gen_kpos1
      assign nk_found = sflag_rd_i[0];
      assign kpos = vpos;
    end
  endgenerate

  // front-end walk: scale, q, K rows
  always @(*) begin
    state_d = state_q;  kc0_d = kc0_q;  kc1_d = kc1_q;  kd0_d = kd0_q;  kd1_d = kd1_q;  qok_d = qok_q;
    kbank_d = kbank_q;  pbank_d = pbank_q;  kst_d = kst_q;  ph_d = ph_q;  pstate_d = pstate_q;
    pl_d = pl_q;  pn_d = pn_q;
    pr_valid = 1'b0;
    mult_d = mult_q;  shift_d = shift_q;  hmult_d = hmult_q;  hshift_d = hshift_q;
    rowtok_d = rowtok_q;
    fr_valid = 1'b0;  fr_region = RScale;  fr_index = {`SP_ADDR_INDEX_BITS{1'b0}};
    fr_rows = {{(RNW-1){1'b0}}, 1'b1};
    q_sent_o = 1'b0;

    // completions are counted in every state; the scale row and q are
    // captured when they arrive
    if (f_k && fetch_kbank_i)
      kd1_d = kd1_q + f_arr;
    if (f_k && !fetch_kbank_i)
      kd0_d = kd0_q + f_arr;
    if (fetch_valid_i && fetch_region_i == RScale) begin
      mult_d = fetch_row_i[15:0];
      shift_d = fetch_row_i[21:16];
      hmult_d = fetch_row_i[39:24];
      hshift_d = fetch_row_i[45:40];
    end
    if (fetch_valid_i && fetch_region_i == RQ)
      qok_d = 1'b1;

    case (state_q)
      // no request outstanding
      FIdle: ;
      // request the head's scale row (logit M, S; head importance Mv, Sv)
      FScale: begin
        fr_valid = 1'b1;
        fr_region = RScale;
        if (f_fire)
          state_d = FQ;
      end
      // request the query row; ctl_front starts the K walk at once
      FQ: begin
        fr_valid = 1'b1;
        fr_region = RQ;
        fr_index = cfg_decode_i ? it_i
                                : {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, tok_row_rd_i};
        if (f_fire) begin
          state_d = FIdle;
          q_sent_o = 1'b1;
          rowtok_d = cfg_decode_i ? {TIW{1'b0}} : tok_row_rd_i;
          qok_d = 1'b0;
        end
      end
      // K rows of the active tokens (MSB planes, LSB in pass 2) into kbuf slots
      FK: begin
        if (cnt_t != n_i) begin
          fr_valid = 1'b1;
          fr_region = k_lsb_i ? RKLsb : RKMsb;
          fr_index = {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, tok_k_rd_i[TIW-1:0]};
          fr_rows = fk_rows;
          if (f_fire) begin
            if (kbank_q) kc1_d = kc1_q + fk_add;
            else         kc0_d = kc0_q + fk_add;
          end
        end else begin
          state_d = FIdle;
        end
      end
      default: state_d = FIdle;
    endcase

    // prefetch walk: the next head-step's K MSB rows into the other bank
    case (pstate_q)
      // no prefetch: start one once the next head-step is known and the
      // running head-step's own K walk has begun
      PIdle: begin
        if (KvBuffers > 1 && pf_ok_i && kst_q) begin
          pstate_d = PWalk;
          pbank_d = ~kbank_q;
          ph_d = pf_head_i;
          pl_d = pf_layer_i;
          pn_d = n_i;       // |A_l+1| = |A_l| where the prefetch crosses a layer end
          if (kbank_q) begin kc0_d = 15'd0;  kd0_d = {TCW{1'b0}}; end
          else         begin kc1_d = 15'd0;  kd1_d = {TCW{1'b0}}; end
        end
      end
      // request its rows when neither the V walk nor the front walk has one
      PWalk: begin
        if (pcnt_t != pn_q) begin
          pr_valid = 1'b1;
          if (p_fire) begin
            if (pbank_q) kc1_d = kc1_q + pk_add;
            else         kc0_d = kc0_q + pk_add;
          end
        end else begin
          pstate_d = PHeld;
        end
      end
      // every row requested; held until the head-step's K walk takes the bank
      PHeld: ;
      default: pstate_d = PIdle;
    endcase

    // a new request starts its walk whatever the state; a head-step's
    // start moves the front end to the other bank
    if (row_start_i) begin
      state_d = row_scale_i ? FScale : FQ;
      kst_d = 1'b0;
`ifndef SPATTN_MUTANT_PREFETCH
      if (KvBuffers > 1)
        kbank_d = ~kbank_q;
`else
      // mutant (make test-mutant-cosim): the slot hand-off is lost: the new
      // head-step reads the previous one's bank, not the one prefetched for it
`endif
    end
    if (k_req_i) begin
      state_d = FK;
      kst_d = 1'b1;
      if (!k_lsb_i && pstate_q != PIdle) begin
        pstate_d = PIdle;  // pass 1 of the prefetched head-step: its bank, its count
      end else if (kbank_q) begin
        kc1_d = 15'd0;  kd1_d = {TCW{1'b0}};
      end else begin
        kc0_d = 15'd0;  kd0_d = {TCW{1'b0}};
      end
    end
  end

  // back-end walk: the kept values' V rows
  always @(*) begin
    vstate_d = vstate_q;  vcnt_d = vcnt_q;  vdone_d = vdone_q;  wj_d = wj_q;  wsub_d = wsub_q;
    vr_valid = 1'b0;  vr_region = RVMsb;  vr_index = {`SP_ADDR_INDEX_BITS{1'b0}};
    v_done_o = 1'b0;  vk_we_o = 1'b0;  obs_kind_o = ONone;
    if (f_v)
      vdone_d = vdone_q + 1'b1;
    case (vstate_q)
      // no V walk
      VIdle: ;
      // kept values' V rows (MSB, then LSB when requantized) into vbuf slots
      VWalk: begin
        if (vcnt16 >= n16) begin
          vstate_d = VWait;
        end else if (!nk_found) begin
          vcnt_d = next_line;
        end else if ({1'b0, kpos} >= n_i) begin
          vstate_d = VWait;
        end else begin
          vr_valid = 1'b1;
          vr_region = wsub_q ? RVLsb : RVMsb;
          vr_index = {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, tok_v_rd_i};
          if (v_fire) begin
            if (v_lsb_i && (VLsb > 0) && !wsub_q) begin
              wsub_d = 1'b1;
            end else begin
              wsub_d = 1'b0;
              vk_we_o = 1'b1;
              obs_kind_o = OVKept;
              wj_d = wj_q + 1'b1;
              vcnt_d = {{(15-TIW){1'b0}}, kpos} + 15'd1;
            end
          end
        end
      end
      // wait until every requested V row has arrived
      VWait: begin
        if (vdone_q == vwant) begin
          vstate_d = VIdle;
          v_done_o = 1'b1;
        end
      end
      default: vstate_d = VIdle;
    endcase
    if (v_req_i) begin
      vstate_d = VWalk;
      vcnt_d = 15'd0;
      wj_d = {TCW{1'b0}};
      wsub_d = 1'b0;
      vdone_d = {TCW{1'b0}};
    end
  end

  // the one request port: the V walk's row first; a K request's rows 1..
  // are the group's next list entries
  integer ri;
  always @(*) begin
    row_valid_o = vr_valid || fr_valid || pr_valid;
    row_region_o = vr_valid ? vr_region : fr_valid ? fr_region : RKMsb;
    row_rows_o = vr_valid ? {{(RNW-1){1'b0}}, 1'b1} : fr_valid ? fr_rows : pk_rows;
    row_index_o = {(FetchRows*IXW){1'b0}};
    row_index_o[IXW-1:0] = vr_valid ? vr_index : fr_valid ? fr_index
                         : {{(IXW-TIW){1'b0}}, tok_k_rd_i[TIW-1:0]};
    for (ri = 1; ri < FetchRows; ri = ri + 1)
      row_index_o[ri*IXW +: IXW] = {{(IXW-TIW){1'b0}}, tok_k_rd_i[ri*TIW +: TIW]};
    if (vr_valid)
      row_slot_o = {{(KSW-VIW){1'b0}}, wj_q[VIW-1:0]};
    else if (fr_valid)
      row_slot_o = state_q == FK ? kslot(kbank_q, cpos) : {KSW{1'b0}};
    else
      row_slot_o = kslot(pbank_q, kc_p[TIW-1:0]);
  end
  function automatic [KSW-1:0] kslot(input bank, input [TIW-1:0] pos);
    begin
      kslot = {KSW{1'b0}};
      kslot[TIW-1:0] = pos;
      if (KBW > 0)
        kslot[KSW-1] = bank;
    end
  endfunction
  assign row_layer_o = vr_valid ? bl_i : (fr_valid ? l_i : pl_q);
  assign row_head_o  = vr_valid ? bh_i : (fr_valid ? h_i : ph_q);

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= FIdle;  vstate_q <= VIdle;  pstate_q <= PIdle;  vcnt_q <= 15'd0;
      kc0_q <= 15'd0;  kc1_q <= 15'd0;  kd0_q <= {TCW{1'b0}};  kd1_q <= {TCW{1'b0}};
      kbank_q <= 1'b0;  pbank_q <= 1'b0;  kst_q <= 1'b0;  ph_q <= {`SP_ADDR_HEAD_BITS{1'b0}};
      pl_q <= {`SP_ADDR_LAYER_BITS{1'b0}};  pn_q <= {TCW{1'b0}};
      vdone_q <= {TCW{1'b0}};  qok_q <= 1'b0;
      mult_q <= 16'd1;  shift_q <= 6'd0;  hmult_q <= 16'd1;  hshift_q <= 6'd0;
      rowtok_q <= {TIW{1'b0}};  wj_q <= {TCW{1'b0}};  wsub_q <= 1'b0;
    end else begin
      state_q <= state_d;  vstate_q <= vstate_d;  pstate_q <= pstate_d;  vcnt_q <= vcnt_d;
      kc0_q <= kc0_d;  kc1_q <= kc1_d;  kd0_q <= kd0_d;  kd1_q <= kd1_d;
      kbank_q <= kbank_d;  pbank_q <= pbank_d;  kst_q <= kst_d;  ph_q <= ph_d;
      pl_q <= pl_d;  pn_q <= pn_d;
      vdone_q <= vdone_d;  qok_q <= qok_d;
      mult_q <= mult_d;  shift_q <= shift_d;  hmult_q <= hmult_d;  hshift_q <= hshift_d;
      rowtok_q <= rowtok_d;  wj_q <= wj_d;  wsub_q <= wsub_d;
    end
  end

  // the query row, captured when it arrives: a register with an enable of
  // its own, so the D x 16 bits are not carried through the next-state
  // logic in every cycle
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni)
      qv_q <= {D*16{1'b0}};
    else if (fetch_valid_i && fetch_region_i == RQ)
      qv_q <= fetch_row_i;
  end

  assign fdone_o    = kbank_q ? kd1_q : kd0_q;
  assign kbank_o    = kbank_q;
  assign pf_walk_o  = pstate_q == PWalk;
  assign qok_o      = qok_q;
  assign q_o        = qv_q;
  assign mult_o     = mult_q;
  assign shift_o    = shift_q;
  assign hmult_o    = hmult_q;
  assign hshift_o   = hshift_q;
  assign rowtok_o   = rowtok_q;
  assign vkept_o    = wj_q;
  assign busy_o     = {vstate_q != VIdle, state_q != FIdle};
  assign vk_pos_o   = kpos;
  assign vk_slot_o  = wj_q[VIW-1:0];
  assign sflag_ra_o = vpos[TIW-1:CW];
  assign tok_row_ra_o = ri_i;
  genvar gk;
  generate
    for (gk = 0; gk < FetchRows; gk = gk + 1) begin : gen_kra
      localparam [TIW-1:0] Off = gk;
      assign tok_k_ra_o[gk*TIW +: TIW] = (fk_row ? cpos : kc_p[TIW-1:0]) + Off;
    end
  endgenerate
  assign tok_v_ra_o = kpos;
  assign obs_idx_o  = {{(16-TIW){1'b0}}, tok_v_rd_i};
endmodule
