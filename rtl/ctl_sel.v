// ctl_sel.v - controller selections and pruning walks (docs/rtl.md s5;
// spec s7, s10): the top-k handshake (start, key lines in, kept flags out)
// for the value selection of a head-step (ctl_vsel asks; kept flags in two
// banks) and, at a layer
// end (ctl_seq asks), cascade token pruning then head pruning: gather the
// members of A_l+1 / H_l+1 with their importance as keys, select, walk the
// kept flags and set depth = l + 1 for the pruned ones. The token walk
// also compacts the kept tokens at the front of the list, in index order:
// the list then holds A_l+1 and ctl_seq takes its length (list_n_o), so
// the next layer needs no listing.
//
// Pruning after layer l ranks the members of A_l+1 (depth > l + 1) by
// importance, keeps the top min(|A_l+1|, keep(|A_l|)) and sets depth = l + 1
// for the others: they leave A_l+1 and every later set (spec s10).
`include "sp_defs.vh"
module ctl_sel #(
  parameter integer MaxTokens = 1024,  // positions (power of two, >= 64)
  parameter integer NCmp      = 16,    // top-k keys per beat (power of two)
  parameter integer Lanes     = 1      // probability stream lanes (softmax lanes, a power of two)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire [6:0]           cfg_layers_i,
  input  wire [6:0]           cfg_heads_i,
  input  wire [16:0]          cfg_token_keep_i,  // Q16
  input  wire [6:0]           cfg_token_start_i,
  input  wire [16:0]          cfg_head_keep_i,
  input  wire [6:0]           cfg_head_start_i,
  input  wire [16:0]          cfg_value_keep_i,
  input  wire [6:0]           l_i,
  input  wire [TCW-1:0]       n_i,               // |A_l|
  // requests (one-cycle pulses) and completions (in the last cycle)
  input  wire                 val_req_i,         // value selection over the n_i probabilities
  output reg                  val_done_o,        // its kept flags are in
  input  wire                 prune_i,           // layer-end pruning
  output reg                  prune_done_o,
  // selection keys written by ctl_front (probabilities by position): one
  // row of Lanes positions skey_wa_i + j (skey_wa_i a multiple of Lanes),
  // lane j written where skey_we_i[j]; a row covers part of one key line
  // (Lanes <= NCmp) or Lanes / NCmp whole lines, and writes each key
  // memory at most once (the key buffer below)
  input  wire [Lanes-1:0]     skey_we_i,
  /* verilator lint_off UNUSEDSIGNAL */
  input  wire [TIW-1:0]       skey_wa_i,         // bits below Lanes are zero (not read)
  /* verilator lint_on UNUSEDSIGNAL */
  input  wire [Lanes*16-1:0]  skey_wd_i,
  // kept flags: two banks for value selections (ctl_vsel writes one while
  // ctl_fetch's value walk reads the other); the pruning walks use bank 0
  input  wire                 vflag_wbank_i,     // bank of the value selection running
  input  wire                 vflag_rbank_i,     // bank the value walk reads
  input  wire [SLW-1:0]       vflag_ra_i,
  output wire [NCmp-1:0]      vflag_rd_o,
  // topk
  output reg                  tk_start_o,
  output wire [TCW-1:0]       tk_n_o,
  output wire [TCW-1:0]       tk_k_o,
  output wire                 tk_in_valid_o,
  input  wire                 tk_in_ready_i,
  output wire [NCmp*`SP_IMP_BITS-1:0] tk_in_keys_o,
  input  wire                 tk_done_i,
  input  wire                 tk_out_valid_i,
  output wire                 tk_out_ready_o,
  input  wire [NCmp-1:0]      tk_out_kept_i,
  // token and head tables (ctl_tables)
  output wire [TIW-1:0]       tok_ra_o,
  input  wire [TIW-1:0]       tok_rd_i,          // token at the walk position
  input  wire [6:0]           depth_rd_i,        // its depth
  input  wire [`SP_IMP_BITS-1:0] imp_rd_i,       // its importance
  output wire [5:0]           h_ra_o,
  input  wire [6:0]           hdepth_rd_i,
  input  wire [`SP_IMP_BITS-1:0] himp_rd_i,
  output reg                  tok_we_o,          // compaction of A_l+1 at the front of the list
  output wire [TIW-1:0]       tok_wa_o,
  output reg                  list_we_o,         // token pruning done: the list holds A_l+1, list_n_o long
  output wire [TCW-1:0]       list_n_o,
  output reg                  depth_we_o,        // token tok_rd_i pruned: depth = l + 1
  output reg                  hdepth_we_o,       // head hdepth_wa_o pruned: depth = l + 1
  output wire [5:0]           hdepth_wa_o,
  // observation: kind, index, data, this cycle
  output reg  [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output reg  [15:0]          obs_idx_o,
  output reg  [`SP_IMP_BITS-1:0] obs_data_o,
  output reg  [3:0]           phase_o            // phase of the cycle when this part owns it, else 0
);
  localparam integer TIW = $clog2(MaxTokens);
  localparam integer TCW = TIW + 1;
  localparam integer CW  = (NCmp > 1) ? $clog2(NCmp) : 0;
  localparam integer CWW = (CW > 0) ? CW : 1;
  localparam integer SLW = TIW - CW;

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("ctl_sel: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (NCmp < 1 || (NCmp & (NCmp - 1)) != 0 || NCmp > MaxTokens / 2) begin : gen_chk_cmp
      $error("ctl_sel: NCmp must be a power of two, at most MaxTokens/2");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE, OTokImp = `SP_OBS_TOK_IMP,
                   OTokKeep = `SP_OBS_TOK_KEEP, OTokEnd = `SP_OBS_TOK_END,
                   OHeadImp = `SP_OBS_HEAD_IMP, OHeadKeep = `SP_OBS_HEAD_KEEP,
                   OHeadEnd = `SP_OBS_HEAD_END;
  localparam [3:0] PhScan = 4'd1, PhPrune = 4'd10;   // docs/rtl.md s6
  // selection kinds
  localparam [1:0] SelVal = 2'd0, SelTok = 2'd1, SelHead = 2'd2;

  localparam [3:0]
    SlIdle    = 4'd0,
    SlTokChk  = 4'd1,
    SlTGather = 4'd2,
    SlTWalk   = 4'd3,
    SlTEnd    = 4'd4,
    SlHeadChk = 4'd5,
    SlHGather = 4'd6,
    SlHWalk   = 4'd7,
    SlHEnd    = 4'd8,
    SlStart   = 4'd9,
    SlIn      = 4'd10,
    SlWait    = 4'd11,
    SlFlags   = 4'd12;

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

  // selection buffers: keys by position (KB memories below), kept flags
  // (two banks), heads of H_l+1
  reg [NCmp-1:0]              sflag_q [0:2*(MaxTokens/NCmp)-1];  // {bank, line}
  reg [5:0]                   hlist_q [0:63];

  reg [3:0]      state_q, state_d;
  reg [1:0]      skind_q, skind_d;
  reg [TCW-1:0]  sn_q, sn_d, sk_q, sk_d;      // selection n and k
  reg [TCW-1:0]  sline_q, sline_d;            // key lines sent
  reg [TCW-1:0]  fline_q, fline_d;            // flag lines received
  reg            sdone_q, sdone_d;            // top-k done seen while keys streamed
  reg [14:0]     cnt_q, cnt_d;                // gather / walk position
  reg [TCW-1:0]  m_q, m_d;                    // tokens in the token selection (gather), then kept (walk)
  reg [6:0]      hm_q, hm_d;                  // heads in the head selection (H_l+1)
  reg [6:0]      hl_q, hl_d;                  // |H_l| during the head gather

  wire           last_layer = (l_i + 7'd1 == cfg_layers_i);
  wire [TIW-1:0] cpos = cnt_q[TIW-1:0];
  wire [TCW-1:0] cnt_t = cnt_q[TCW-1:0];
  wire [TCW-1:0] slines = (sn_q + NCmp[TCW-1:0] - 1'b1) >> CW;
  wire [NCmp-1:0] sflag_line = sflag_q[{1'b0, cpos[TIW-1:CW]}];
  wire            sflag_wbank = (skind_q == SelVal) ? vflag_wbank_i : 1'b0;
  wire [CWW-1:0] cpos_lane;
  wire           sflag;
  wire [TCW-1:0] tok_keep = keep_count(n_i, cfg_token_keep_i);
  wire [TCW-1:0] head_keep = keep_count({{(TCW-7){1'b0}}, hl_q}, cfg_head_keep_i);
  wire [TCW-1:0] hm_t = {{(TCW-7){1'b0}}, hm_q};
  wire           ti_fire = tk_in_valid_o && tk_in_ready_i;
  wire           to_fire = tk_out_valid_i && tk_out_ready_o;

  // key writes: the gathers here, the probabilities from ctl_front
  reg             own_we;
  reg [TIW-1:0]   own_wa;
  reg [`SP_IMP_BITS-1:0] own_wd;
  reg             sflag_we, hlist_we;

  generate
    if (CW > 0) begin : gen_lane
      assign cpos_lane = cpos[CWW-1:0];
    end else begin : gen_nolane
      assign cpos_lane = 1'b0;
    end
  endgenerate
  generate
    if (Lanes < 1 || (Lanes & (Lanes - 1)) != 0 || Lanes >= MaxTokens) begin : gen_chk_lanes
      $error("ctl_sel: Lanes must be a power of two below MaxTokens");
    end
  endgenerate
  assign sflag = sflag_line[cpos_lane];

  always @(*) begin
    state_d = state_q;  skind_d = skind_q;  sn_d = sn_q;  sk_d = sk_q;  sline_d = sline_q;
    fline_d = fline_q;  sdone_d = sdone_q;  cnt_d = cnt_q;  m_d = m_q;  hm_d = hm_q;  hl_d = hl_q;
    val_done_o = 1'b0;  prune_done_o = 1'b0;  tk_start_o = 1'b0;
    tok_we_o = 1'b0;  list_we_o = 1'b0;  depth_we_o = 1'b0;  hdepth_we_o = 1'b0;
    own_we = 1'b0;  own_wa = cpos;  own_wd = {`SP_IMP_BITS{1'b0}};
    sflag_we = 1'b0;  hlist_we = 1'b0;
    obs_kind_o = ONone;  obs_idx_o = 16'd0;  obs_data_o = {`SP_IMP_BITS{1'b0}};
    case (state_q)
      // wait for a value selection or a layer end
      SlIdle: begin
        if (val_req_i) begin
          state_d = SlStart;
          skind_d = SelVal;
          sn_d = n_i;
          sk_d = keep_count(n_i, cfg_value_keep_i);
        end else if (prune_i) begin
          state_d = SlTokChk;
        end
      end
      // token pruning after this layer? (not after the last, from token_start on)
      SlTokChk: begin
        cnt_d = 15'd0;
        m_d = {TCW{1'b0}};
        if (!last_layer && l_i >= cfg_token_start_i)
          state_d = SlTGather;
        else
          state_d = SlHeadChk;
      end
      // A_l+1 with its importance as keys, compacted at the front of the list
      SlTGather: begin
        if (cnt_t == n_i) begin
          state_d = SlStart;
          skind_d = SelTok;
          sn_d = m_q;
          sk_d = (tok_keep < m_q) ? tok_keep : m_q;
        end else begin
          if (depth_rd_i > l_i + 7'd1) begin
            tok_we_o = 1'b1;
            own_we = 1'b1;
            own_wa = m_q[TIW-1:0];
            own_wd = imp_rd_i;
            obs_kind_o = OTokImp;
            obs_idx_o = {{(16-TIW){1'b0}}, tok_rd_i};
            obs_data_o = imp_rd_i;
            m_d = m_q + 1'b1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      // kept tokens are observed and compacted at the front of the list
      // (written at m <= the walk position: entries not read again), the
      // others get depth = l + 1
      SlTWalk: begin
        if (cnt_t == sn_q) begin
          state_d = SlTEnd;
        end else begin
          if (sflag) begin
            obs_kind_o = OTokKeep;
            obs_idx_o = {{(16-TIW){1'b0}}, tok_rd_i};
            tok_we_o = 1'b1;
            m_d = m_q + 1'b1;
          end else begin
            depth_we_o = 1'b1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      // token pruning complete: the list holds A_l+1 (m kept tokens)
      SlTEnd: begin
        obs_kind_o = OTokEnd;
        list_we_o = 1'b1;
        state_d = SlHeadChk;
      end
      // head pruning after this layer? (not after the last, from head_start on)
      SlHeadChk: begin
        cnt_d = 15'd0;
        hm_d = 7'd0;
        hl_d = 7'd0;
        if (!last_layer && l_i >= cfg_head_start_i) begin
          state_d = SlHGather;
        end else begin
          state_d = SlIdle;
          prune_done_o = 1'b1;
        end
      end
      // H_l+1 with the head importance as keys; |H_l| counted
      SlHGather: begin
        if (cnt_q[6:0] == cfg_heads_i) begin
          state_d = SlStart;
          skind_d = SelHead;
          sn_d = hm_t;
          sk_d = (head_keep < hm_t) ? head_keep : hm_t;
        end else begin
          if (hdepth_rd_i > l_i)
            hl_d = hl_q + 7'd1;
          if (hdepth_rd_i > l_i + 7'd1) begin
            hlist_we = 1'b1;
            own_we = 1'b1;
            own_wa = {{(TIW-6){1'b0}}, hm_q[5:0]};
            own_wd = himp_rd_i;
            obs_kind_o = OHeadImp;
            obs_idx_o = {10'd0, cnt_q[5:0]};
            obs_data_o = himp_rd_i;
            hm_d = hm_q + 7'd1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      // kept heads are observed, the others get depth = l + 1
      SlHWalk: begin
        if (cnt_q[6:0] == hm_q) begin
          state_d = SlHEnd;
        end else begin
          if (sflag) begin
            obs_kind_o = OHeadKeep;
            obs_idx_o = {10'd0, hlist_q[cnt_q[5:0]]};
          end else begin
            hdepth_we_o = 1'b1;
          end
          cnt_d = cnt_q + 15'd1;
        end
      end
      // head pruning complete; the layer end is done
      SlHEnd: begin
        obs_kind_o = OHeadEnd;
        state_d = SlIdle;
        prune_done_o = 1'b1;
      end
      // start top-k (none over zero keys)
      SlStart: begin
        tk_start_o = sn_q != {TCW{1'b0}};
        state_d = (sn_q != {TCW{1'b0}}) ? SlIn : SlFlags;
        sline_d = {TCW{1'b0}};
        fline_d = {TCW{1'b0}};
        sdone_d = 1'b0;
      end
      // stream the key lines into top-k
      SlIn: begin
        if (tk_done_i)
          sdone_d = 1'b1;
        if (ti_fire) begin
          sline_d = sline_q + 1'b1;
          if (sline_q + 1'b1 == slines)
            state_d = SlWait;
        end
      end
      // wait for top-k's done
      SlWait: begin
        if (tk_done_i || sdone_q)
          state_d = SlFlags;
      end
      // collect the kept flags, then the walk of this selection's kind
      SlFlags: begin
        if (to_fire)
          sflag_we = 1'b1;
        if (to_fire || sn_q == {TCW{1'b0}}) begin
          fline_d = fline_q + 1'b1;
          if (fline_q + 1'b1 == slines || sn_q == {TCW{1'b0}}) begin
            cnt_d = 15'd0;
            case (skind_q)
              SelVal: begin
                state_d = SlIdle;
                val_done_o = 1'b1;
              end
              SelTok: begin
                state_d = SlTWalk;
                m_d = {TCW{1'b0}};
              end
              default: state_d = SlHWalk;
            endcase
          end
        end
      end
      default: state_d = SlIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= SlIdle;  skind_q <= SelVal;  sn_q <= {TCW{1'b0}};  sk_q <= {TCW{1'b0}};
      sline_q <= {TCW{1'b0}};  fline_q <= {TCW{1'b0}};  sdone_q <= 1'b0;  cnt_q <= 15'd0;
      m_q <= {TCW{1'b0}};  hm_q <= 7'd0;  hl_q <= 7'd0;
    end else begin
      state_q <= state_d;  skind_q <= skind_d;  sn_q <= sn_d;  sk_q <= sk_d;
      sline_q <= sline_d;  fline_q <= fline_d;  sdone_q <= sdone_d;  cnt_q <= cnt_d;
      m_q <= m_d;  hm_q <= hm_d;  hl_q <= hl_d;
    end
  end

  // the key buffer: KB = max(NCmp, Lanes, 2) memories of one key (column b:
  // positions b mod KB, at position / KB), each with one write port, read
  // asynchronously, not reset. A stream row (Lanes positions from
  // skey_wa_i, a multiple of Lanes) and a top-k line (NCmp positions from a
  // multiple of NCmp) each fall in one KB-aligned group, so a row writes
  // each memory at most once (memory b from lane b mod Lanes) and a line
  // reads NCmp memories at one address. The gathers' own write and the
  // probability stream never share a cycle: the gathers run at a layer end,
  // after ctl_seq's drain (SqBDrain: ctl_smx idle), so the stream is idle;
  // the own write is put first all the same
  localparam integer KB  = (NCmp > Lanes) ? NCmp : (Lanes > 1) ? Lanes : 2;
  localparam integer KBW = $clog2(KB);       // >= 1
  localparam integer KLW = (Lanes > 1) ? $clog2(Lanes) : 0;
  localparam integer KAW = TIW - KBW;        // address bits in a memory
  localparam integer KR  = KB / NCmp;        // top-k lines in a KB group
  wire [KB*`SP_IMP_BITS-1:0] skey_grp;       // the group of top-k line sline_q
  wire [KAW-1:0] kline_a = sline_q[SLW-1:KBW-CW];
  genvar kb;
  generate
    for (kb = 0; kb < KB; kb = kb + 1) begin : gen_key
      localparam [TIW-1:0] KBP = kb;
      reg  [`SP_IMP_BITS-1:0] mem_q [0:(MaxTokens/KB)-1];
      wire own = own_we && (own_wa[KBW-1:0] == KBP[KBW-1:0]);
      wire pwe;                                // lane kb mod Lanes writes this memory
      if (KB > Lanes) begin : gen_grp
        // skey_wa_i's bits KLW.. KBW-1 name the Lanes-wide part of the group
        assign pwe = skey_we_i[kb % Lanes] && (skey_wa_i[KBW-1:KLW] == KBP[KBW-1:KLW]);
      end else begin : gen_one
        assign pwe = skey_we_i[kb];
      end
      // the one write port: the own write, else the stream's
      wire [KAW-1:0] wa = own ? own_wa[TIW-1:KBW] : skey_wa_i[TIW-1:KBW];
      wire [`SP_IMP_BITS-1:0] wd = own ? own_wd : {{(`SP_IMP_BITS-16){1'b0}}, skey_wd_i[(kb % Lanes)*16 +: 16]};
      always @(posedge clk_i)
        if (own || pwe) mem_q[wa] <= wd;
      assign skey_grp[kb*`SP_IMP_BITS +: `SP_IMP_BITS] = mem_q[kline_a];
    end
    if (KR > 1) begin : gen_kr
      // KB > NCmp: line sline_q is part sline_q mod KR of the group
      assign tk_in_keys_o = skey_grp[sline_q[KBW-CW-1:0] * (NCmp*`SP_IMP_BITS) +: NCmp*`SP_IMP_BITS];
    end else begin : gen_kr1
      assign tk_in_keys_o = skey_grp;
    end
  endgenerate

  // kept flags and the head list: plain register arrays, not reset
  always @(posedge clk_i) begin
    if (sflag_we)  sflag_q[{sflag_wbank, fline_q[SLW-1:0]}] <= tk_out_kept_i;
    if (hlist_we)  hlist_q[hm_q[5:0]] <= cnt_q[5:0];
  end

  always @(*) begin
    case (state_q)
      SlTokChk, SlHeadChk:                 phase_o = PhScan;
      SlTGather, SlTWalk, SlTEnd,
      SlHGather, SlHWalk, SlHEnd:          phase_o = PhPrune;
      // a value selection is ctl_vsel's phase (ctl_vsel reports it)
      SlStart, SlIn, SlWait, SlFlags:      phase_o = (skind_q == SelVal) ? 4'd0 : PhPrune;
      default:                             phase_o = 4'd0;
    endcase
  end

  assign vflag_rd_o     = sflag_q[{vflag_rbank_i, vflag_ra_i}];
  assign tk_n_o         = sn_q;
  assign tk_k_o         = sk_q;
  assign tk_in_valid_o  = state_q == SlIn && sline_q != slines;
  assign tk_out_ready_o = state_q == SlFlags;
  assign tok_ra_o       = cpos;
  assign tok_wa_o       = m_q[TIW-1:0];
  assign list_n_o       = m_q;
  assign h_ra_o         = cnt_q[5:0];
  assign hdepth_wa_o    = hlist_q[cnt_q[5:0]];
endmodule
