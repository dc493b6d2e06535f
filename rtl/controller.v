// controller.v - the control of spattn_top: sequencing of iterations,
// layers, active heads and query rows with cascade token and head pruning
// (docs/spec.md s10; C: cmodel/controller.c sp_run_model, cmodel/head.c
// sp_head_step). Control only: it drives the datapath units' handshakes and
// the fetcher's requests; the units themselves live in spattn_top.
//
// Control parts, one FSM each, and their tables (docs/rtl.md s5):
//   ctl_seq    iteration / layer / head / query-row walk, table clear, A_l list
//   ctl_fetch  row requests: scale, q, K rows (MSB / LSB) of the front end;
//              the back end's V walk; one port, the V walk's row first
//   ctl_front  head-step front end: q, K walk, qk -> softmax load -> (exp,
//              divider) -> requant? (pass 2), then hand-over to ctl_smx
//   ctl_smx    softmax NORM rows: probabilities (pbuf bank, top-k keys,
//              token importance), then hand-over to ctl_vsel
//   ctl_vsel   value selection (ctl_sel's top-k, kept flags into one of two
//              flag banks), then hand-over to ctl_back
//   ctl_back   head-step back end: V walk -> pv -> head importance -> writer
//   ctl_sel    top-k handshakes: value selection; token and head pruning walks
//   ctl_tables token depth / importance (P partial tables) / active list, head depth / importance
// The front end of head-step i+1 runs while ctl_smx streams head-step i,
// ctl_vsel selects the values of i-1 and the back end runs i-2: four
// head-steps in flight (hazard rules in ctl_smx, ctl_fetch, ctl_seq). Every result the C model reports is also put on an
// observation port for the co-simulation checker, one item per cycle on
// each (a probability item carries a softmax row: obs_pn_o probabilities
// with their tokens, by lane): obs_* for the front end and the layer-end pruning (the position of
// ctl_seq) and for ctl_smx (its latched head-step), obs2_* for the back end (its latched head-step); the part that
// names an item owns it, and the registers here hold it for one cycle.
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
  parameter integer VLsb      = 4,     // V LSB planes (0: a requant fetches no V LSB rows)
  parameter integer SoftmaxLanes = 1,  // P: softmax lanes (positions per cycle of the probability stream)
  parameter integer KvBuffers = 2,     // kbuf banks of MaxTokens rows (2: K prefetch)
  parameter integer FetchRows = 1      // rows a fetcher request (a K walk's group; hardware.fetch_rows)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 start_i,
  output wire                 busy_o,
  output wire                 done_o,
  output wire                 init_o,        // RAM initialisation phase
  output wire [19:0]          phases_o,      // phases of {ctl_vsel, ctl_smx, seq/sel, back, front} (docs/rtl.md s6), 0: none
  output wire [3:0]           fstage_o,      // front end's SP_FST_* stage
  output wire [3:0]           xstage_o,      // ctl_smx's SP_XST_* stage
  output wire [3:0]           vstage_o,      // ctl_vsel's SP_VST_* stage
  output wire [3:0]           bstage_o,      // back end's SP_BST_* stage
  output wire                 pfetch_o,      // the K prefetch walk requests rows (KvBuffers = 2)
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
  output wire                 row_valid_o,
  input  wire                 row_ready_i,
  output wire [`SP_ADDR_REGION_BITS-1:0] row_region_o,
  output wire [`SP_ADDR_LAYER_BITS-1:0]  row_layer_o,
  output wire [`SP_ADDR_HEAD_BITS-1:0]   row_head_o,
  output wire [FetchRows*`SP_ADDR_INDEX_BITS-1:0] row_index_o,  // row r's at [r*14 +: 14]
  output wire [$clog2(FetchRows+1)-1:0] row_rows_o,  // rows of the request
  output wire [KSW-1:0]       row_slot_o,    // {kbuf bank, row} of row 0 of K rows; vbuf slot
  input  wire                 fetch_valid_i,
  input  wire [`SP_ADDR_REGION_BITS-1:0] fetch_region_i,
  input  wire [$clog2(FetchRows+1)-1:0] fetch_rows_i,  // rows of the response
  input  wire [KSW-1:0]       fetch_slot_i,
  input  wire [D*16-1:0]      fetch_row_i,
  // kbuf read
  output wire [KLW+KBW-1:0]   kb_line_o,     // {bank, line}
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
  output wire                 sm_take_o,     // the run in INFO goes on to NORM (ctl_smx streams it)
  output wire                 sm_y_valid_o,
  input  wire                 sm_y_ready_i,
  output wire [P*`SP_LOGIT_BITS-1:0]        sm_y_o,
  output wire [YNW-1:0]       sm_y_n_o,
  input  wire                 sm_info_valid_i,
  input  wire                 sm_p_valid_i,
  output wire                 sm_p_ready_o,
  input  wire [P*16-1:0]      sm_p_i,
  input  wire [YNW-1:0]       sm_p_n_i,
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
  output wire [`SP_ADDR_LAYER_BITS-1:0] wb_layer_o,
  output wire [`SP_ADDR_HEAD_BITS-1:0]  wb_head_o,
  input  wire                 wb_idle_i,
  // importance (combinational unit)
  output wire [P*`SP_IMP_BITS-1:0]        imp_tok_acc_o,   // per lane
  output wire [P*16-1:0]      imp_tok_p_o,
  input  wire [P*`SP_IMP_BITS-1:0]        imp_tok_sum_i,
  output wire [`SP_IMP_BITS-1:0]          imp_head_acc_o,
  input  wire [`SP_IMP_BITS-1:0]          imp_head_sum_i,
  // observation port
  output wire [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output wire [13:0]          obs_it_o,
  output wire [5:0]           obs_layer_o,
  output wire [5:0]           obs_head_o,
  output wire [13:0]          obs_row_o,
  output wire [15:0]          obs_idx_o,
  output wire [`SP_IMP_BITS-1:0]          obs_data_o,
  output wire [YNW-1:0]       obs_pn_o,      // probability item: count, tokens, probabilities
  output wire [P*16-1:0]      obs_ptok_o,
  output wire [P*16-1:0]      obs_pvec_o,
  // second observation port: the back end's items
  output wire [`SP_OBS_KIND_BITS-1:0] obs2_kind_o,
  output wire [13:0]          obs2_it_o,
  output wire [5:0]           obs2_layer_o,
  output wire [5:0]           obs2_head_o,
  output wire [13:0]          obs2_row_o,
  output wire [15:0]          obs2_idx_o
);
  localparam integer P    = SoftmaxLanes;
  localparam integer YNW  = $clog2(P + 1);
  localparam integer TIW  = $clog2(MaxTokens);       // token index
  localparam integer TCW  = TIW + 1;                 // token count
  localparam integer VIW  = $clog2(MaxVals);
  localparam integer KPB  = (NQk >= D) ? NQk / D : 1;  // keys per qk beat
  localparam integer TPB  = (NPv >= D) ? NPv / D : 1;  // tokens per pv beat
  localparam integer KPBW = (KPB > 1) ? $clog2(KPB) : 0;
  localparam integer TPBW = (TPB > 1) ? $clog2(TPB) : 0;
  localparam integer CW   = (NCmp > 1) ? $clog2(NCmp) : 0;
  localparam integer KLW  = TIW - KPBW;              // kbuf line index
  localparam integer VLW  = VIW - TPBW;              // vbuf line index
  localparam integer SLW  = TIW - CW;                // selection line index
  localparam integer KBW  = (KvBuffers > 1) ? 1 : 0;   // kbuf bank bit
  localparam integer KSW  = TIW + KBW;               // kbuf slot

  generate
    if (MaxTokens < `SP_RTL_MIN_TOKENS || (MaxTokens & (MaxTokens - 1)) != 0 ||
        MaxTokens > `SP_MAX_TOKENS) begin : gen_chk_tok
      $error("controller: MaxTokens must be a power of two in SP_RTL_MIN_TOKENS..SP_MAX_TOKENS");
    end
    if (MaxVals < 2 || (MaxVals & (MaxVals - 1)) != 0 || MaxVals > MaxTokens) begin : gen_chk_vals
      $error("controller: MaxVals must be a power of two, 2..MaxTokens");
    end
    if (NCmp < 1 || (NCmp & (NCmp - 1)) != 0 || NCmp > MaxTokens / 2) begin : gen_chk_cmp
      $error("controller: NCmp must be a power of two, at most MaxTokens/2");
    end
    if (D < 3 || D > `SP_MAX_D) begin : gen_chk_d
      $error("controller: D must be 3..SP_MAX_D (the scale row's fields reach bit 45 of a D x 16-bit row)");
    end
  endgenerate

  localparam [`SP_OBS_KIND_BITS-1:0] ONone = `SP_OBS_NONE;

  // ---- sequencer
  wire [13:0]    it;
  wire [6:0]     l;
  wire [5:0]     h;
  wire [TIW-1:0] ri;
  wire [TCW-1:0] n;
  wire           step_start, step_scale, step_done, prune_start, prune_done;
  wire           clr_we, hclr_we, seq_tok_we;
  wire           list_we;        // ctl_sel's token walk compacted the list to A_l+1
  wire [TCW-1:0] list_n;
  wire [TIW-1:0] clr_a;
  wire [5:0]     seq_hdepth_ra;
  wire [6:0]     seq_hdepth_rd;
  wire [3:0]     seq_phase;
  wire           prune_hold, bk_idle, pf_ok, kbank, sx_idle, vs_idle, vs_sel;
  // the layer end waits for ctl_smx, ctl_vsel and the back end
  wire           bx_idle = bk_idle && sx_idle && vs_idle;
  wire [5:0]     pf_head;
  wire [5:0]     pf_layer;
  ctl_seq #(.MaxTokens(MaxTokens), .ListRows(FetchRows)) u_seq (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(start_i), .busy_o(busy_o), .done_o(done_o),
    .init_o(init_o), .phase_o(seq_phase), .prune_hold_o(prune_hold),
    .cfg_decode_i(cfg_decode_i), .cfg_layers_i(cfg_layers_i), .cfg_heads_i(cfg_heads_i),
    .cfg_ctx_i(cfg_ctx_i), .cfg_iters_i(cfg_iters_i),
    .cfg_token_start_i(cfg_token_start_i), .cfg_head_start_i(cfg_head_start_i),
    .it_o(it), .l_o(l), .h_o(h), .ri_o(ri), .n_o(n),
    .step_start_o(step_start), .step_scale_o(step_scale), .step_done_i(step_done),
    .bk_idle_i(bx_idle), .pf_ok_o(pf_ok), .pf_head_o(pf_head), .pf_layer_o(pf_layer),
    .prune_start_o(prune_start), .prune_done_i(prune_done), .list_we_i(list_we), .list_n_i(list_n),
    .wb_idle_i(wb_idle_i), .clr_we_o(clr_we), .hclr_we_o(hclr_we), .clr_a_o(clr_a), .tok_we_o(seq_tok_we),
    .hdepth_ra_o(seq_hdepth_ra), .hdepth_rd_i(seq_hdepth_rd)
  );

  // ---- fetch requests
  wire           q_sent, k_req, k_lsb, v_req, v_lsb, v_done, qok, vk_we;
  wire [TCW-1:0] fdone, vkept;
  wire [TIW-1:0] rowtok, vk_pos;
  wire [VIW-1:0] vk_slot;
  wire [15:0]    f_hmult;
  wire [5:0]     f_hshift;
  wire [SLW-1:0] vflag_ra;
  wire [NCmp-1:0] vflag_rd;
  wire [TIW-1:0] f_row_ra, f_row_rd, f_v_ra, f_v_rd;
  wire [FetchRows*TIW-1:0] f_k_ra, f_k_rd;
  wire [`SP_OBS_KIND_BITS-1:0] f_okind;
  wire [15:0]    f_oidx;
  wire [1:0]     f_busy;
  wire [13:0]    b_it;
  wire [6:0]     b_l;
  wire [5:0]     b_h;
  wire [TIW-1:0] b_rowtok;
  ctl_fetch #(.D(D), .MaxTokens(MaxTokens), .MaxVals(MaxVals), .NCmp(NCmp), .VLsb(VLsb),
              .KvBuffers(KvBuffers), .FetchRows(FetchRows)) u_fetch (
    .clk_i(clk_i), .rst_ni(rst_ni), .cfg_decode_i(cfg_decode_i), .it_i(it[`SP_ADDR_INDEX_BITS-1:0]), .n_i(n),
    .l_i(l[5:0]), .h_i(h), .bl_i(b_l[5:0]), .bh_i(b_h),
    .row_start_i(step_start), .row_scale_i(step_scale), .q_sent_o(q_sent),
    .k_req_i(k_req), .k_lsb_i(k_lsb), .v_req_i(v_req), .v_lsb_i(v_lsb), .v_done_o(v_done),
    .pf_ok_i(pf_ok), .pf_head_i(pf_head),
    .pf_layer_i(pf_layer), .kbank_o(kbank), .pf_walk_o(pfetch_o),
    .row_valid_o(row_valid_o), .row_ready_i(row_ready_i), .row_region_o(row_region_o),
    .row_layer_o(row_layer_o), .row_head_o(row_head_o),
    .row_index_o(row_index_o), .row_rows_o(row_rows_o), .row_slot_o(row_slot_o),
    .fetch_valid_i(fetch_valid_i), .fetch_region_i(fetch_region_i), .fetch_rows_i(fetch_rows_i),
    .fetch_row_i(fetch_row_i),
    .fetch_kbank_i(fetch_slot_i[KSW-1] & (KBW > 0)),
    .fdone_o(fdone), .qok_o(qok), .q_o(q_o), .mult_o(mult_o), .shift_o(shift_o),
    .hmult_o(f_hmult), .hshift_o(f_hshift), .rowtok_o(rowtok), .vkept_o(vkept), .busy_o(f_busy),
    .vk_we_o(vk_we), .vk_pos_o(vk_pos), .vk_slot_o(vk_slot),
    .sflag_ra_o(vflag_ra), .sflag_rd_i(vflag_rd), .ri_i(ri),
    .tok_row_ra_o(f_row_ra), .tok_row_rd_i(f_row_rd), .tok_k_ra_o(f_k_ra), .tok_k_rd_i(f_k_rd),
    .tok_v_ra_o(f_v_ra), .tok_v_rd_i(f_v_rd),
    .obs_kind_o(f_okind), .obs_idx_o(f_oidx)
  );

  // ---- head-step front end
  wire [KLW-1:0] kb_line;
  wire           val_req, val_done, st_himp_we, fr_rq, sx_rq, sx_hand;
  wire [1:0]     sx_bank;
  wire [P-1:0]   skey_we, st_imp_we, pb_we;
  wire [TIW-1:0] skey_wa, pb_wa;
  wire [P*TIW-1:0] ptok_ra, ptok;
  wire [YNW-1:0] sx_pn;
  wire [P*16-1:0] sx_ptok, sx_pvec;
  wire [3:0]     fr_phase, bk_phase, fr_stage, sx_phase, vs_phase;
  wire [`SP_OBS_KIND_BITS-1:0] fr_okind, bk_okind, sx_okind;
  wire [15:0]    fr_oidx, bk_oidx, sx_oidx;
  wire [`SP_IMP_BITS-1:0] fr_odata, sx_odata;
  ctl_front #(.D(D), .MaxTokens(MaxTokens), .NQk(NQk), .SoftmaxLanes(P)) u_front (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(step_start), .hand_o(step_done), .phase_o(fr_phase),
    .stage_o(fr_stage), .rq_o(fr_rq), .n_i(n), .sx_idle_i(sx_idle),
    .q_sent_i(q_sent), .qok_i(qok), .fdone_i(fdone), .k_req_o(k_req), .k_lsb_o(k_lsb),
    .kb_line_o(kb_line), .kb_full_o(kb_full_o), .kb_data_i(kb_data_i),
    .qk_k_valid_o(qk_k_valid_o), .qk_k_ready_i(qk_k_ready_i), .qk_k_data_o(qk_k_data_o),
    .qk_y_valid_i(qk_y_valid_i), .qk_y_ready_o(qk_y_ready_o), .qk_y_i(qk_y_i),
    .sm_start_o(sm_start_o), .sm_abort_o(sm_abort_o), .sm_y_valid_o(sm_y_valid_o),
    .sm_y_ready_i(sm_y_ready_i), .sm_y_o(sm_y_o), .sm_y_n_o(sm_y_n_o), .sm_info_valid_i(sm_info_valid_i),
    .sm_pmax_i(sm_pmax_i), .rq_i(rq_i),
    .obs_kind_o(fr_okind), .obs_idx_o(fr_oidx), .obs_data_o(fr_odata)
  );
  assign sm_take_o = step_done;

  // ---- softmax NORM side: the probability stream
  wire [13:0]    x_it;
  wire [6:0]     x_l;
  wire [5:0]     x_h;
  wire [TIW-1:0] x_rowtok;
  wire [15:0]    x_hmult;
  wire [5:0]     x_hshift;
  ctl_smx #(.MaxTokens(MaxTokens), .SoftmaxLanes(P)) u_smx (
    .clk_i(clk_i), .rst_ni(rst_ni), .take_i(step_done), .rq_i(fr_rq), .it_i(it), .l_i(l), .h_i(h),
    .rowtok_i(rowtok), .hmult_i(f_hmult), .hshift_i(f_hshift), .n_i(n), .idle_o(sx_idle),
    .hand_o(sx_hand), .rq_o(sx_rq), .bank_o(sx_bank), .it_o(x_it), .l_o(x_l), .h_o(x_h),
    .rowtok_o(x_rowtok), .hmult_o(x_hmult), .hshift_o(x_hshift), .phase_o(sx_phase), .stage_o(xstage_o),
    .vs_idle_i(vs_idle), .vs_sel_i(vs_sel), .val_done_i(val_done),
    .pb_we_o(pb_we), .pb_wa_o(pb_wa), .skey_we_o(skey_we), .skey_wa_o(skey_wa),
    .sm_p_valid_i(sm_p_valid_i), .sm_p_ready_o(sm_p_ready_o), .sm_p_i(sm_p_i), .sm_p_n_i(sm_p_n_i),
    .ptok_ra_o(ptok_ra), .ptok_i(ptok), .imp_we_o(st_imp_we),
    .obs_kind_o(sx_okind), .obs_idx_o(sx_oidx), .obs_data_o(sx_odata),
    .obs_pn_o(sx_pn), .obs_ptok_o(sx_ptok), .obs_pvec_o(sx_pvec)
  );

  // ---- value selection
  wire           vs_hand, vs_rq, vs_fbank, bk_fbank;
  wire [1:0]     vs_pbank;
  wire [13:0]    v_it;
  wire [6:0]     v_l;
  wire [5:0]     v_h;
  wire [TIW-1:0] v_rowtok;
  wire [15:0]    v_hmult;
  wire [5:0]     v_hshift;
  ctl_vsel #(.MaxTokens(MaxTokens)) u_vsel (
    .clk_i(clk_i), .rst_ni(rst_ni), .take_i(sx_hand), .rq_i(sx_rq), .pbank_i(sx_bank), .it_i(x_it),
    .l_i(x_l), .h_i(x_h), .rowtok_i(x_rowtok), .hmult_i(x_hmult), .hshift_i(x_hshift),
    .idle_o(vs_idle), .sel_o(vs_sel), .val_req_o(val_req), .val_done_i(val_done), .fbank_o(vs_fbank),
    .bk_idle_i(bk_idle), .hand_o(vs_hand), .rq_o(vs_rq), .pbank_o(vs_pbank), .it_o(v_it), .l_o(v_l),
    .h_o(v_h), .rowtok_o(v_rowtok), .hmult_o(v_hmult), .hshift_o(v_hshift),
    .phase_o(vs_phase), .stage_o(vstage_o)
  );

  // ---- head-step back end
  ctl_back #(.D(D), .MaxTokens(MaxTokens), .MaxVals(MaxVals), .NPv(NPv), .Lanes(P)) u_back (
    .clk_i(clk_i), .rst_ni(rst_ni), .hand_i(vs_hand), .it_i(v_it), .l_i(v_l), .h_i(v_h),
    .rowtok_i(v_rowtok), .rq_i(vs_rq), .bank_i(vs_pbank), .fbank_i(vs_fbank), .hmult_i(v_hmult),
    .hshift_i(v_hshift), .idle_o(bk_idle), .fbank_o(bk_fbank), .phase_o(bk_phase), .stage_o(bstage_o),
    .it_o(b_it), .l_o(b_l), .h_o(b_h), .rowtok_o(b_rowtok), .hmult_o(himp_mult_o),
    .hshift_o(himp_shift_o), .cfg_d_i(cfg_d_i),
    .pb_we_i(pb_we), .pb_bank_i(sx_bank), .pb_wa_i(pb_wa), .pb_wd_i(sm_p_i),
    .v_req_o(v_req), .v_lsb_o(v_lsb), .v_done_i(v_done), .vkept_i(vkept),
    .vk_we_i(vk_we), .vk_pos_i(vk_pos), .vk_slot_i(vk_slot),
    .vb_line_o(vb_line_o), .vb_full_o(vb_full_o), .vb_data_i(vb_data_i),
    .pv_start_o(pv_start_o), .pv_in_valid_o(pv_in_valid_o), .pv_in_ready_i(pv_in_ready_i),
    .pv_in_last_o(pv_in_last_o), .pv_in_p_o(pv_in_p_o), .pv_in_v_o(pv_in_v_o),
    .pv_out_valid_i(pv_out_valid_i), .wb_valid_o(wb_valid_o), .wb_ready_i(wb_ready_i),
    .himp_we_o(st_himp_we), .obs_kind_o(bk_okind), .obs_idx_o(bk_oidx)
  );

  // ---- selections and pruning walks
  wire           sel_tok_we, sel_depth_we, sel_hdepth_we;
  wire [TIW-1:0] sel_tok_ra, sel_tok_rd, sel_tok_wa;
  wire [6:0]     sel_depth_rd, sel_hdepth_rd;
  wire [`SP_IMP_BITS-1:0] sel_imp_rd, sel_himp_rd;
  wire [5:0]     sel_h_ra, sel_hdepth_wa;
  wire [3:0]     sel_phase;
  wire [`SP_OBS_KIND_BITS-1:0] sel_okind;
  wire [15:0]    sel_oidx;
  wire [`SP_IMP_BITS-1:0] sel_odata;
  ctl_sel #(.MaxTokens(MaxTokens), .NCmp(NCmp), .Lanes(P)) u_sel (
    .clk_i(clk_i), .rst_ni(rst_ni), .cfg_layers_i(cfg_layers_i), .cfg_heads_i(cfg_heads_i),
    .cfg_token_keep_i(cfg_token_keep_i), .cfg_token_start_i(cfg_token_start_i),
    .cfg_head_keep_i(cfg_head_keep_i), .cfg_head_start_i(cfg_head_start_i),
    .cfg_value_keep_i(cfg_value_keep_i), .l_i(l), .n_i(n),
    .val_req_i(val_req), .val_done_o(val_done), .prune_i(prune_start), .prune_done_o(prune_done),
    .skey_we_i(skey_we), .skey_wa_i(skey_wa), .skey_wd_i(sm_p_i),
    .vflag_wbank_i(vs_fbank), .vflag_rbank_i(bk_fbank), .vflag_ra_i(vflag_ra), .vflag_rd_o(vflag_rd),
    .tk_start_o(tk_start_o), .tk_n_o(tk_n_o), .tk_k_o(tk_k_o), .tk_in_valid_o(tk_in_valid_o),
    .tk_in_ready_i(tk_in_ready_i), .tk_in_keys_o(tk_in_keys_o), .tk_done_i(tk_done_i),
    .tk_out_valid_i(tk_out_valid_i), .tk_out_ready_o(tk_out_ready_o), .tk_out_kept_i(tk_out_kept_i),
    .tok_ra_o(sel_tok_ra), .tok_rd_i(sel_tok_rd), .depth_rd_i(sel_depth_rd), .imp_rd_i(sel_imp_rd),
    .h_ra_o(sel_h_ra), .hdepth_rd_i(sel_hdepth_rd), .himp_rd_i(sel_himp_rd),
    .tok_we_o(sel_tok_we), .tok_wa_o(sel_tok_wa), .list_we_o(list_we), .list_n_o(list_n),
    .depth_we_o(sel_depth_we),
    .hdepth_we_o(sel_hdepth_we), .hdepth_wa_o(sel_hdepth_wa),
    .obs_kind_o(sel_okind), .obs_idx_o(sel_oidx), .obs_data_o(sel_odata), .phase_o(sel_phase)
  );

  // ---- token and head tables
  wire [P*`SP_IMP_BITS-1:0] st_imp_rd;
  wire [`SP_IMP_BITS-1:0] st_himp_rd;
  ctl_tables #(.MaxTokens(MaxTokens), .Lanes(P), .FetchRows(FetchRows)) u_tables (
    .clk_i(clk_i), .rst_ni(rst_ni), .clr_we_i(clr_we), .hclr_we_i(hclr_we), .clr_a_i(clr_a), .clr_depth_i(cfg_layers_i),
    .tok_a_we_i(seq_tok_we), .tok_a_wa_i(clr_a),
    .tok_b_we_i(sel_tok_we), .tok_b_wa_i(sel_tok_wa), .tok_b_wd_i(sel_tok_rd),
    .depth_we_i(sel_depth_we), .depth_wa_i(sel_tok_rd), .depth_wd_i(l + 7'd1),
    .imp_we_i(st_imp_we), .imp_wa_i(ptok), .imp_wd_i(imp_tok_sum_i),
    .hdepth_we_i(sel_hdepth_we), .hdepth_wa_i(sel_hdepth_wa), .hdepth_wd_i(l + 7'd1),
    .himp_we_i(st_himp_we), .himp_wa_i(b_h), .himp_wd_i(imp_head_sum_i),
    .seq_hdepth_ra_i(seq_hdepth_ra), .seq_hdepth_rd_o(seq_hdepth_rd),
    .f_row_ra_i(f_row_ra), .f_row_rd_o(f_row_rd), .f_k_ra_i(f_k_ra), .f_k_rd_o(f_k_rd),
    .f_v_ra_i(f_v_ra), .f_v_rd_o(f_v_rd),
    .st_tok_ra_i(ptok_ra), .st_tok_rd_o(ptok), .st_imp_rd_o(st_imp_rd),
    .st_himp_ra_i(b_h), .st_himp_rd_o(st_himp_rd),
    .sel_tok_ra_i(sel_tok_ra), .sel_tok_rd_o(sel_tok_rd), .sel_depth_rd_o(sel_depth_rd),
    .sel_imp_rd_o(sel_imp_rd), .sel_h_ra_i(sel_h_ra), .sel_hdepth_rd_o(sel_hdepth_rd),
    .sel_himp_rd_o(sel_himp_rd)
  );

  // ---- observation registers: the part that names an item owns it; port 1
  // carries the front end's, ctl_smx's and the pruning walks' items (at
  // most one of them names one in a cycle: pruning runs with the front end
  // and ctl_smx idle; the front end names a decision only when ctl_smx
  // streams no head-step, its own run's NORM rows follow the decision),
  // port 2 the back end's (ctl_back, and ctl_fetch's V walk)
  wire [`SP_OBS_KIND_BITS-1:0] okind_d = fr_okind | sx_okind | sel_okind;
  wire [`SP_OBS_KIND_BITS-1:0] o2kind_d = bk_okind | f_okind;
  reg  [`SP_OBS_KIND_BITS-1:0] okind_q, o2kind_q;
  reg  [15:0]             oidx_q, o2idx_q;
  reg  [`SP_IMP_BITS-1:0] odata_q;
  reg  [YNW-1:0]          opn_q;
  reg  [P*16-1:0]         optok_q, opvec_q;
  reg                     osx_q;  // port 1's item is ctl_smx's: its head-step's position
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      okind_q <= ONone;  oidx_q <= 16'd0;  odata_q <= {`SP_IMP_BITS{1'b0}};
      opn_q <= {YNW{1'b0}};  optok_q <= {P*16{1'b0}};  opvec_q <= {P*16{1'b0}};
      o2kind_q <= ONone;  o2idx_q <= 16'd0;  osx_q <= 1'b0;
    end else begin
      osx_q <= sx_okind != ONone;
      okind_q <= okind_d;
      o2kind_q <= o2kind_d;
      if (fr_okind != ONone) begin
        oidx_q <= fr_oidx;  odata_q <= fr_odata;
      end else if (sx_okind != ONone) begin
        oidx_q <= sx_oidx;  odata_q <= sx_odata;
        opn_q <= sx_pn;  optok_q <= sx_ptok;  opvec_q <= sx_pvec;
      end else if (sel_okind != ONone) begin
        oidx_q <= sel_oidx;  odata_q <= sel_odata;
      end
      if (bk_okind != ONone)
        o2idx_q <= bk_oidx;
      else if (f_okind != ONone)
        o2idx_q <= f_oidx;
    end
  end

  assign phases_o    = {vs_phase, sx_phase, seq_phase | sel_phase, bk_phase, fr_phase};
  assign sm_n_o      = n;
  assign wb_index_o  = cfg_decode_i ? b_it[`SP_ADDR_INDEX_BITS-1:0]
                                    : {{(`SP_ADDR_INDEX_BITS-TIW){1'b0}}, b_rowtok};
  assign wb_layer_o  = b_l[5:0];
  assign wb_head_o   = b_h;
  assign imp_tok_acc_o  = st_imp_rd;
  assign imp_tok_p_o    = sm_p_i;
  assign imp_head_acc_o = st_himp_rd;
  assign obs_kind_o  = okind_q;
  assign obs_it_o    = osx_q ? x_it : it;
  assign obs_layer_o = osx_q ? x_l[5:0] : l[5:0];
  assign obs_head_o  = osx_q ? x_h : h;
  assign obs_row_o   = {{(14-TIW){1'b0}}, osx_q ? x_rowtok : rowtok};
  assign obs_idx_o   = oidx_q;
  assign obs_data_o  = odata_q;
  assign obs_pn_o    = opn_q;
  assign obs_ptok_o  = optok_q;
  assign obs_pvec_o  = opvec_q;
  assign obs2_kind_o  = o2kind_q;
  assign obs2_it_o    = b_it;
  assign obs2_layer_o = b_l[5:0];
  assign obs2_head_o  = b_h;
  assign obs2_row_o   = {{(14-TIW){1'b0}}, b_rowtok};
  assign obs2_idx_o   = o2idx_q;
  // the front end is held at a layer end (SP_FST_PHOLD) while it is idle
  assign fstage_o = prune_hold ? `SP_FST_PHOLD : fr_stage;
  wire unused_f = &{1'b0, f_busy, b_l[6], fetch_slot_i};
  // kbuf read line: the running front end's bank above ctl_front's line
  generate
    if (KBW > 0) begin : gen_kb_bank
      assign kb_line_o = {kbank, kb_line};
    end else begin : gen_kb_one
      assign kb_line_o = kb_line;
      wire unused_kb = kbank;
    end
  endgenerate
endmodule
