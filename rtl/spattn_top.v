// spattn_top.v - the accelerator: controller, fetcher, K and V bit-plane
// buffers and the datapath units (qk, softmax, requant, topk, pv,
// importance), with a memory read port, a run-register interface, two
// observation ports for the co-simulation checker (front end, ctl_smx and
// pruning; back end: up to four head-steps are in flight), the pipeline stages and
// activity counters (docs/rtl.md). Parameters come from the YAML config (sim/simcfg.c);
// constants shared with the C model from sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module spattn_top #(
  parameter integer D             = 64,    // head dimension of the hardware (traces: d <= D)
  parameter integer MaxTokens     = 1024,  // K buffer rows of one slot (power of two)
  parameter integer KvBuffers     = 2,     // K buffer slots (hardware.kv_buffers): 2 = K prefetch
  parameter integer MaxVals       = 256,   // V buffer rows (power of two)
  parameter integer KMsb          = 8,
  parameter integer KLsb          = 4,
  parameter integer VMsb          = 8,
  parameter integer VLsb          = 4,
  parameter integer NQk           = 512,
  parameter integer NPv           = 512,
  parameter integer NCmp          = 16,
  parameter integer RoundOverhead = 2,
  parameter integer SoftmaxLanes  = 1,     // P: softmax positions per cycle (power of two)
  parameter integer FetchRows     = 1,     // rows a read request and response (hardware.fetch_rows; divides NQk / D)
  parameter integer MaxOut        = `SP_FETCH_MAX_OUT  // fetcher requests in flight
) (
  input  wire          clk_i,
  input  wire          rst_ni,
  input  wire          start_i,
  output wire          busy_o,
  output wire          done_o,
  // run registers
  input  wire          cfg_decode_i,
  input  wire [6:0]    cfg_layers_i,
  input  wire [6:0]    cfg_heads_i,
  input  wire [14:0]   cfg_ctx_i,
  input  wire [14:0]   cfg_iters_i,
  input  wire [8:0]    cfg_d_i,
  input  wire [16:0]   cfg_token_keep_i,
  input  wire [6:0]    cfg_token_start_i,
  input  wire [16:0]   cfg_head_keep_i,
  input  wire [6:0]    cfg_head_start_i,
  input  wire [16:0]   cfg_value_keep_i,
  input  wire [15:0]   cfg_tau_i,         // Q1.15
  // memory read port: 1..FetchRows rows (each 1..16 beats of 32 bytes) per
  // request and per response, responses in request order
  output wire          mem_req_valid_o,
  input  wire          mem_req_ready_i,
  output wire [FetchRows*`SP_ADDR_BITS-1:0] mem_req_addr_o,  // beat 0 of row r at [r*40 +: 40]
  output wire [`SP_ADDR_BEAT_FIELD_BITS:0] mem_req_beats_o,  // beats of each row
  output wire [$clog2(FetchRows+1)-1:0] mem_req_rows_o,      // rows of the request
  input  wire          mem_rsp_valid_i,
  input  wire [FetchRows*((`SP_ELEM_BITS*D+`SP_ADDR_BEAT_BITS-1)/`SP_ADDR_BEAT_BITS)*`SP_ADDR_BEAT_BITS-1:0] mem_rsp_data_i,  // row r at [r*RowW +: RowW]
  // memory write port (posted 32-byte writes of the head outputs)
  output wire          mem_wr_valid_o,
  input  wire          mem_wr_ready_i,
  output wire [`SP_ADDR_BITS-1:0] mem_wr_addr_o,
  output wire [`SP_ADDR_BEAT_BITS-1:0] mem_wr_data_o,
  // observation port
  output wire [`SP_OBS_KIND_BITS-1:0] obs_kind_o,
  output wire [13:0]   obs_it_o,
  output wire [5:0]    obs_layer_o,
  output wire [5:0]    obs_head_o,
  output wire [13:0]   obs_row_o,
  output wire [15:0]   obs_idx_o,
  output wire [`SP_IMP_BITS-1:0] obs_data_o,
  output wire [$clog2(SoftmaxLanes+1)-1:0] obs_pn_o,  // probability item: a softmax row of obs_pn_o
  output wire [SoftmaxLanes*16-1:0] obs_ptok_o,        // ... tokens by lane
  output wire [SoftmaxLanes*16-1:0] obs_pvec_o,        // ... probabilities by lane
  output wire [D*16-1:0] obs_vec_o,       // head output (pv), read with an `out` item (port 2)
  // second observation port: the back end's items (value kept, out,
  // step end) of the head-step it holds (docs/rtl.md s4)
  output wire [`SP_OBS_KIND_BITS-1:0] obs2_kind_o,
  output wire [13:0]   obs2_it_o,
  output wire [5:0]    obs2_layer_o,
  output wire [5:0]    obs2_head_o,
  output wire [13:0]   obs2_row_o,
  output wire [15:0]   obs2_idx_o,
  // pipeline stages (docs/rtl.md s5): SP_FST_* of the front end, SP_BST_* of the back end
  output wire [3:0]    fphase_o,
  output wire [3:0]    xphase_o,  // ctl_smx's SP_XST_* stage
  output wire [3:0]    vphase_o,  // ctl_vsel's SP_VST_* stage
  output wire [3:0]    bphase_o,
  output wire          pfetch_o,          // the K prefetch walk requests rows (overlap coverage)
  // activity counters
  output wire [63:0]   cnt_cycles_o,      // busy cycles after initialisation
  output wire [63:0]   cnt_init_o,        // initialisation cycles
  output wire [63:0]   cnt_qk_mul_o,      // qk multiplier enables
  output wire [63:0]   cnt_pv_mul_o,      // pv multiplier enables
  output wire [63:0]   cnt_kbuf_wr_o,     // K buffer row writes (MSB or LSB planes)
  output wire [63:0]   cnt_kbuf_rd_o,     // K buffer line reads
  output wire [63:0]   cnt_vbuf_wr_o,
  output wire [63:0]   cnt_vbuf_rd_o,
  output wire [63:0]   cnt_dram_beats_o,  // memory beats requested
  output wire [63:0]   cnt_dram_wr_beats_o, // memory beats written
  output wire [63:0]   cnt_cmp_o,         // top-k comparator uses
  output wire [63:0]   cnt_topk_cycles_o,
  output wire [63:0]   cnt_softmax_o,     // softmax runs (both passes)
  output wire [63:0]   cnt_sm_work_o,     // softmax working cycles (docs/rtl.md s9)
  output wire [11*64-1:0] cnt_phase_o     // busy cycles by controller phase 1..10 (a cycle counts in
                                          // each part's phase: front, back, sequencer / pruning);
                                          // 0: busy cycles no part names (docs/rtl.md s6)
);
  localparam integer TIW = $clog2(MaxTokens);
  localparam integer TCW = TIW + 1;
  localparam integer VIW = $clog2(MaxVals);
  localparam integer KPB = (NQk >= D) ? NQk / D : 1;
  localparam integer TPB = (NPv >= D) ? NPv / D : 1;
  localparam integer KBW = (KvBuffers > 1) ? 1 : 0;  // kbuf bank bit
  localparam integer KSW = TIW + KBW;                // kbuf slot (fetcher destination)
  localparam integer KLW = TIW - ((KPB > 1) ? $clog2(KPB) : 0) + KBW;
  localparam integer VLW = VIW - ((TPB > 1) ? $clog2(TPB) : 0);
  localparam integer RowW = ((`SP_ELEM_BITS*D+`SP_ADDR_BEAT_BITS-1)/`SP_ADDR_BEAT_BITS)*`SP_ADDR_BEAT_BITS;
  localparam integer PW = ((KMsb > KLsb) ? KMsb : KLsb) * D;
  localparam integer VPW = ((VMsb > VLsb) ? VMsb : VLsb) * D;
  localparam [31:0] NQk32 = NQk;
  localparam [31:0] NPv32 = NPv;

  localparam integer RNW = $clog2(FetchRows + 1);

  generate
    if (RowW < PW || RowW < VPW) begin : gen_chk_row
      $error("spattn_top: a plane row must fit the fetcher row");
    end
    if (FetchRows < 1 || (FetchRows & (FetchRows - 1)) != 0 || FetchRows > KPB) begin : gen_chk_rows
      $error("spattn_top: FetchRows must be a power of two, at most NQk / D (a K request fills at most one kbuf line)");
    end
  endgenerate

  // ---- run registers: captured on every edge while the engine is idle, so a
  // run uses the values the cfg_* inputs held on the edge before start_i (they
  // are written at least one cycle before it) and the logic fed by them is
  // sequential, not recomputed from top inputs
  reg         run_decode_q;
  reg [6:0]   run_layers_q;
  reg [6:0]   run_heads_q;
  reg [14:0]  run_ctx_q;
  reg [14:0]  run_iters_q;
  reg [8:0]   run_d_q;
  reg [16:0]  run_token_keep_q;
  reg [6:0]   run_token_start_q;
  reg [16:0]  run_head_keep_q;
  reg [6:0]   run_head_start_q;
  reg [16:0]  run_value_keep_q;
  reg [15:0]  run_tau_q;
  always @(posedge clk_i) begin
    if (!busy_o) begin
      run_decode_q <= cfg_decode_i;
      run_layers_q <= cfg_layers_i;
      run_heads_q <= cfg_heads_i;
      run_ctx_q <= cfg_ctx_i;
      run_iters_q <= cfg_iters_i;
      run_d_q <= cfg_d_i;
      run_token_keep_q <= cfg_token_keep_i;
      run_token_start_q <= cfg_token_start_i;
      run_head_keep_q <= cfg_head_keep_i;
      run_head_start_q <= cfg_head_start_i;
      run_value_keep_q <= cfg_value_keep_i;
      run_tau_q <= cfg_tau_i;
    end
  end

  // ---- fetcher
  wire           row_valid, row_ready;
  wire [`SP_ADDR_REGION_BITS-1:0] row_region;
  wire [`SP_ADDR_LAYER_BITS-1:0]  row_layer;
  wire [`SP_ADDR_HEAD_BITS-1:0]   row_head;
  wire [FetchRows*`SP_ADDR_INDEX_BITS-1:0] row_index;
  wire [RNW-1:0] row_rows;
  wire [KSW-1:0] row_slot;
  wire           f_valid;
  wire [`SP_ADDR_REGION_BITS-1:0] f_region;
  wire [KSW-1:0] f_slot;
  wire [RNW-1:0] f_rows;
  wire [FetchRows*RowW-1:0] f_row;
  wire [63:0]    dram_beats;
  /* verilator lint_off PINCONNECTEMPTY */
  fetcher #(.D(D), .KMsb(KMsb), .KLsb(KLsb), .VMsb(VMsb), .VLsb(VLsb), .SlotW(KSW),
            .FetchRows(FetchRows), .MaxOut(MaxOut)) u_fetcher (
    .clk_i(clk_i), .rst_ni(rst_ni),
    .row_valid_i(row_valid), .row_ready_o(row_ready), .row_region_i(row_region),
    .row_layer_i(row_layer), .row_head_i(row_head), .row_index_i(row_index), .row_rows_i(row_rows),
    .row_slot_i(row_slot),
    .mem_req_valid_o(mem_req_valid_o), .mem_req_ready_i(mem_req_ready_i),
    .mem_req_addr_o(mem_req_addr_o), .mem_req_beats_o(mem_req_beats_o), .mem_req_rows_o(mem_req_rows_o),
    .mem_rsp_valid_i(mem_rsp_valid_i),
    .mem_rsp_data_i(mem_rsp_data_i),
    .out_valid_o(f_valid), .out_region_o(f_region), .out_slot_o(f_slot), .out_rows_o(f_rows),
    .out_row_o(f_row),
    .idle_o(), .beats_o(dram_beats)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- K and V buffers, written straight from the fetcher (a K response
  // writes its rows at once; V responses are one row)
  wire kb_we = f_valid && (f_region == 3'd2 || f_region == 3'd3);
  wire vb_we = f_valid && (f_region == 3'd4 || f_region == 3'd5);
  wire [KLW-1:0] kb_line;
  wire kb_full;
  wire [KPB*D*16-1:0] kb_data;
  wire [FetchRows*PW-1:0] kb_planes;
  genvar gr;
  generate
    for (gr = 0; gr < FetchRows; gr = gr + 1) begin : gen_kplanes
      assign kb_planes[gr*PW +: PW] = f_row[gr*RowW +: PW];
    end
  endgenerate
  kbuf #(.D(D), .KMsb(KMsb), .KLsb(KLsb), .Depth(MaxTokens * KvBuffers), .Lanes(KPB), .SlotW(KSW),
         .WrRows(FetchRows)) u_kbuf (
    .clk_i(clk_i), .wr_en_i(kb_we), .wr_lsb_i(f_region == 3'd3), .wr_slot_i(f_slot), .wr_rows_i(f_rows),
    .wr_planes_i(kb_planes), .rd_line_i(kb_line), .rd_full_i(kb_full), .rd_data_o(kb_data)
  );
  wire [VLW-1:0] vb_line;
  wire vb_full;
  wire [TPB*D*16-1:0] vb_data;
  vbuf #(.D(D), .VMsb(VMsb), .VLsb(VLsb), .Depth(MaxVals), .Lanes(TPB), .SlotW(VIW)) u_vbuf (
    .clk_i(clk_i), .wr_en_i(vb_we), .wr_lsb_i(f_region == 3'd5), .wr_slot_i(f_slot[VIW-1:0]),
    .wr_planes_i(f_row[VPW-1:0]), .rd_line_i(vb_line), .rd_full_i(vb_full), .rd_data_o(vb_data)
  );

  // ---- qk
  wire [D*16-1:0] q;
  wire [15:0] mult;
  wire [5:0] shift;
  wire qk_k_valid, qk_k_ready, qk_y_valid, qk_y_ready;
  wire [NQk*16-1:0] qk_k_data;
  wire [KPB*`SP_LOGIT_BITS-1:0] qk_y;
  /* verilator lint_off PINCONNECTEMPTY */
  qk #(.D(D), .NQk(NQk), .QW(16), .KW(16)) u_qk (
    .clk_i(clk_i), .rst_ni(rst_ni), .q_i(q), .mult_i(mult), .shift_i(shift),
    .k_valid_i(qk_k_valid), .k_ready_o(qk_k_ready), .k_data_i(qk_k_data),
    .y_valid_o(qk_y_valid), .y_ready_i(qk_y_ready), .y_o(qk_y), .acc_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- softmax and requant
  wire sm_start, sm_abort, sm_take, sm_y_valid, sm_y_ready, sm_info_valid, sm_p_valid, sm_p_ready, sm_busy;
  wire sm_ld_idle;
  wire [1:0] sm_work;
  wire [TCW-1:0] sm_n;
  wire [SoftmaxLanes*`SP_LOGIT_BITS-1:0] sm_y;
  wire [$clog2(SoftmaxLanes+1)-1:0] sm_y_n, sm_p_n;
  wire [15:0] sm_pmax;
  wire [SoftmaxLanes*16-1:0] sm_p;
  /* verilator lint_off PINCONNECTEMPTY */
  softmax #(.MaxN(MaxTokens), .Lanes(SoftmaxLanes)) u_softmax (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(sm_start), .n_i(sm_n), .abort_i(sm_abort), .take_i(sm_take),
    .y_valid_i(sm_y_valid), .y_ready_o(sm_y_ready), .y_i(sm_y), .y_n_i(sm_y_n),
    .info_valid_o(sm_info_valid), .max_o(), .sum_o(), .recip_o(), .pmax_o(sm_pmax),
    .p_valid_o(sm_p_valid), .p_ready_i(sm_p_ready), .p_o(sm_p), .p_n_o(sm_p_n), .ld_idle_o(sm_ld_idle),
    .work_o(sm_work), .busy_o(sm_busy)
  );
  /* verilator lint_on PINCONNECTEMPTY */
  wire rq;
  localparam [3:0] KLsbN = KLsb[3:0];
  requant u_requant (
    .pmax_i(sm_pmax), .tau_i({16'd0, run_tau_q}), .lsb_bits_i(KLsbN), .requant_o(rq)
  );

  // ---- topk (one engine for value, token and head selection)
  wire tk_start, tk_in_valid, tk_in_ready, tk_done, tk_out_valid, tk_out_ready, tk_busy;
  wire [TCW-1:0] tk_n, tk_k;
  wire [NCmp*`SP_IMP_BITS-1:0] tk_keys;
  wire [NCmp-1:0] tk_kept;
  wire [31:0] tk_cycles, tk_compares;
  /* verilator lint_off PINCONNECTEMPTY */
  topk #(.KeyW(`SP_IMP_BITS), .MaxN(MaxTokens), .NCmp(NCmp), .RoundOverhead(RoundOverhead)) u_topk (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(tk_start), .n_i(tk_n), .k_i(tk_k),
    .in_valid_i(tk_in_valid), .in_ready_o(tk_in_ready), .in_keys_i(tk_keys),
    .done_o(tk_done), .cycles_o(tk_cycles), .rounds_o(), .compares_o(tk_compares), .zeros_o(),
    .out_valid_o(tk_out_valid), .out_ready_i(tk_out_ready), .out_kept_o(tk_kept),
    .busy_o(tk_busy)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- pv
  wire pv_start, pv_in_valid, pv_in_ready, pv_in_last, pv_out_valid;
  wire [TPB*16-1:0] pv_in_p;
  wire [NPv*16-1:0] pv_in_v;
  wire [D*16-1:0] pv_out;
  /* verilator lint_off PINCONNECTEMPTY */
  pv #(.D(D), .NPv(NPv), .VW(16)) u_pv (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(pv_start), .in_valid_i(pv_in_valid),
    .in_ready_o(pv_in_ready), .in_last_i(pv_in_last), .in_p_i(pv_in_p), .in_v_i(pv_in_v),
    .out_valid_o(pv_out_valid), .out_o(pv_out), .acc_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- importance
  // dims d..D-1 of a zero-padded trace hold approx(0) values, not zeros:
  // they are masked out of the head importance (and never observed)
  wire [D*16-1:0] pv_out_d;
  genvar gd;
  generate
    for (gd = 0; gd < D; gd = gd + 1) begin : gen_dmask
      localparam [8:0] Dim = gd;
      assign pv_out_d[gd*16 +: 16] = (Dim < run_d_q) ? pv_out[gd*16 +: 16] : 16'd0;
    end
  endgenerate
  wire [SoftmaxLanes*`SP_IMP_BITS-1:0] imp_tok_acc, imp_tok_sum;
  wire [`SP_IMP_BITS-1:0] imp_head_acc, imp_head_sum;
  wire [SoftmaxLanes*16-1:0] imp_tok_p;
  wire [15:0] himp_mult;
  wire [5:0] himp_shift;
  /* verilator lint_off PINCONNECTEMPTY */
  importance #(.Lanes(SoftmaxLanes), .D(D)) u_importance (
    .tok_acc_i(imp_tok_acc), .tok_p_i(imp_tok_p), .tok_sum_o(imp_tok_sum),
    .head_acc_i(imp_head_acc), .head_out_i(pv_out_d),
    .head_mult_i(himp_mult), .head_shift_i(himp_shift), .head_add_o(), .head_sum_o(imp_head_sum)
  );
  /* verilator lint_on PINCONNECTEMPTY */

  // ---- output write-back
  wire wb_valid, wb_ready, wb_idle;
  wire [`SP_ADDR_INDEX_BITS-1:0] wb_index;
  wire [`SP_ADDR_LAYER_BITS-1:0]  wb_layer;
  wire [`SP_ADDR_HEAD_BITS-1:0]   wb_head;
  wire [63:0] wr_beats;
  writer #(.D(D)) u_writer (
    .clk_i(clk_i), .rst_ni(rst_ni), .vec_valid_i(wb_valid), .vec_ready_o(wb_ready),
    .vec_layer_i(wb_layer), .vec_head_i(wb_head), .vec_index_i(wb_index), .vec_data_i(pv_out),
    .mem_wr_valid_o(mem_wr_valid_o), .mem_wr_ready_i(mem_wr_ready_i),
    .mem_wr_addr_o(mem_wr_addr_o), .mem_wr_data_o(mem_wr_data_o), .idle_o(wb_idle),
    .beats_o(wr_beats)
  );
  assign cnt_dram_wr_beats_o = wr_beats;

  // ---- controller
  wire init;
  wire [19:0] phases;
  controller #(.D(D), .MaxTokens(MaxTokens), .MaxVals(MaxVals), .NQk(NQk), .NPv(NPv),
               .NCmp(NCmp), .VLsb(VLsb), .SoftmaxLanes(SoftmaxLanes), .KvBuffers(KvBuffers),
               .FetchRows(FetchRows)) u_controller (
    .clk_i(clk_i), .rst_ni(rst_ni), .start_i(start_i), .busy_o(busy_o), .done_o(done_o),
    .init_o(init), .phases_o(phases), .fstage_o(fphase_o), .xstage_o(xphase_o), .vstage_o(vphase_o), .bstage_o(bphase_o), .pfetch_o(pfetch_o),
    .cfg_decode_i(run_decode_q), .cfg_layers_i(run_layers_q), .cfg_heads_i(run_heads_q),
    .cfg_ctx_i(run_ctx_q), .cfg_iters_i(run_iters_q), .cfg_d_i(run_d_q),
    .cfg_token_keep_i(run_token_keep_q), .cfg_token_start_i(run_token_start_q),
    .cfg_head_keep_i(run_head_keep_q), .cfg_head_start_i(run_head_start_q),
    .cfg_value_keep_i(run_value_keep_q),
    .row_valid_o(row_valid), .row_ready_i(row_ready), .row_region_o(row_region),
    .row_layer_o(row_layer), .row_head_o(row_head), .row_index_o(row_index), .row_rows_o(row_rows),
    .row_slot_o(row_slot), .fetch_valid_i(f_valid), .fetch_region_i(f_region), .fetch_rows_i(f_rows),
    .fetch_slot_i(f_slot),
    .fetch_row_i(f_row[D*16-1:0]),
    .kb_line_o(kb_line), .kb_full_o(kb_full), .kb_data_i(kb_data),
    .q_o(q), .mult_o(mult), .shift_o(shift), .himp_mult_o(himp_mult), .himp_shift_o(himp_shift),
    .qk_k_valid_o(qk_k_valid), .qk_k_ready_i(qk_k_ready), .qk_k_data_o(qk_k_data),
    .qk_y_valid_i(qk_y_valid), .qk_y_ready_o(qk_y_ready), .qk_y_i(qk_y),
    .sm_start_o(sm_start), .sm_n_o(sm_n), .sm_abort_o(sm_abort), .sm_take_o(sm_take), .sm_y_valid_o(sm_y_valid),
    .sm_y_ready_i(sm_y_ready), .sm_y_o(sm_y), .sm_y_n_o(sm_y_n), .sm_info_valid_i(sm_info_valid),
    .sm_p_valid_i(sm_p_valid), .sm_p_ready_o(sm_p_ready), .sm_p_i(sm_p), .sm_p_n_i(sm_p_n),
    .sm_pmax_i(sm_pmax),
    .rq_i(rq),
    .tk_start_o(tk_start), .tk_n_o(tk_n), .tk_k_o(tk_k), .tk_in_valid_o(tk_in_valid),
    .tk_in_ready_i(tk_in_ready), .tk_in_keys_o(tk_keys), .tk_done_i(tk_done),
    .tk_out_valid_i(tk_out_valid), .tk_out_ready_o(tk_out_ready), .tk_out_kept_i(tk_kept),
    .vb_line_o(vb_line), .vb_full_o(vb_full), .vb_data_i(vb_data),
    .pv_start_o(pv_start), .pv_in_valid_o(pv_in_valid), .pv_in_ready_i(pv_in_ready),
    .pv_in_last_o(pv_in_last), .pv_in_p_o(pv_in_p), .pv_in_v_o(pv_in_v),
    .pv_out_valid_i(pv_out_valid),
    .wb_valid_o(wb_valid), .wb_ready_i(wb_ready), .wb_index_o(wb_index), .wb_layer_o(wb_layer), .wb_head_o(wb_head), .wb_idle_i(wb_idle),
    .imp_tok_acc_o(imp_tok_acc), .imp_tok_p_o(imp_tok_p), .imp_tok_sum_i(imp_tok_sum),
    .imp_head_acc_o(imp_head_acc), .imp_head_sum_i(imp_head_sum),
    .obs_kind_o(obs_kind_o), .obs_it_o(obs_it_o), .obs_layer_o(obs_layer_o),
    .obs_head_o(obs_head_o), .obs_row_o(obs_row_o), .obs_idx_o(obs_idx_o),
    .obs_data_o(obs_data_o), .obs_pn_o(obs_pn_o), .obs_ptok_o(obs_ptok_o), .obs_pvec_o(obs_pvec_o),
    .obs2_kind_o(obs2_kind_o), .obs2_it_o(obs2_it_o), .obs2_layer_o(obs2_layer_o),
    .obs2_head_o(obs2_head_o), .obs2_row_o(obs2_row_o), .obs2_idx_o(obs2_idx_o)
  );

  assign obs_vec_o = pv_out;

  // ---- activity counters
  reg [63:0] c_cycles_q, c_init_q, c_qk_q, c_pv_q, c_kwr_q, c_krd_q, c_vwr_q, c_vrd_q, c_cmp_q,
             c_tkc_q, c_sm_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_cycles_q <= 64'd0;  c_init_q <= 64'd0;  c_qk_q <= 64'd0;  c_pv_q <= 64'd0;
      c_kwr_q <= 64'd0;  c_krd_q <= 64'd0;  c_vwr_q <= 64'd0;  c_vrd_q <= 64'd0;
      c_cmp_q <= 64'd0;  c_tkc_q <= 64'd0;  c_sm_q <= 64'd0;
    end else begin
      if (busy_o && !init)           c_cycles_q <= c_cycles_q + 64'd1;
      if (init)                      c_init_q <= c_init_q + 64'd1;
      if (qk_k_valid && qk_k_ready) begin
        c_qk_q  <= c_qk_q + {32'd0, NQk32};
        c_krd_q <= c_krd_q + 64'd1;
      end
      if (pv_in_valid && pv_in_ready) begin
        c_pv_q  <= c_pv_q + {32'd0, NPv32};
        c_vrd_q <= c_vrd_q + 64'd1;
      end
      if (kb_we)                     c_kwr_q <= c_kwr_q + {{(64-RNW){1'b0}}, f_rows};
      if (vb_we)                     c_vwr_q <= c_vwr_q + 64'd1;
      if (tk_done) begin
        c_cmp_q <= c_cmp_q + {32'd0, tk_compares};
        c_tkc_q <= c_tkc_q + {32'd0, tk_cycles};
      end
      if (sm_start)                  c_sm_q <= c_sm_q + 64'd1;
    end
  end
  assign cnt_cycles_o      = c_cycles_q;
  assign cnt_init_o        = c_init_q;
  assign cnt_qk_mul_o      = c_qk_q;
  assign cnt_pv_mul_o      = c_pv_q;
  assign cnt_kbuf_wr_o     = c_kwr_q;
  assign cnt_kbuf_rd_o     = c_krd_q;
  assign cnt_vbuf_wr_o     = c_vwr_q;
  assign cnt_vbuf_rd_o     = c_vrd_q;
  assign cnt_dram_beats_o  = dram_beats;
  assign cnt_cmp_o         = c_cmp_q;
  assign cnt_topk_cycles_o = c_tkc_q;
  assign cnt_softmax_o     = c_sm_q;

  // softmax working cycles (docs/rtl.md s9), of both sides (softmax.v
  // work_o): the load side's start cycle and its beats taken, the back
  // side's EXP and DIV cycles and its NORM rows taken; 3n + 49 per run at
  // one lane, the C timing model's unit latency
  reg [63:0] c_smw_q;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      c_smw_q <= 64'd0;
    end else begin
      c_smw_q <= c_smw_q + {63'd0, sm_work[0]} + {63'd0, sm_work[1]};
    end
  end
  assign cnt_sm_work_o = c_smw_q;

  // cycles by phase: a busy cycle counts once in the phase of each part that
  // names one (front end 2..5, ctl_smx 4, ctl_vsel 6, back end 7..9, sequencer or pruning 1, 9,
  // 10), so overlapping head-steps count in both; phase 0 counts the busy
  // cycles no part names (initialisation, waits)
  reg [63:0] c_phase_q [0:10];
  wire [3:0] ph_f = phases[3:0], ph_b = phases[7:4], ph_s = phases[11:8], ph_x = phases[15:12],
             ph_v = phases[19:16];
  integer pi;
  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (pi = 0; pi < 11; pi = pi + 1)
        c_phase_q[pi] <= 64'd0;
    end else if (busy_o) begin
      for (pi = 1; pi < 11; pi = pi + 1)
        c_phase_q[pi] <= c_phase_q[pi] + {63'd0, ph_f == pi[3:0]} + {63'd0, ph_b == pi[3:0]} +
                         {63'd0, ph_s == pi[3:0]} + {63'd0, ph_x == pi[3:0]} + {63'd0, ph_v == pi[3:0]};
      if (phases == 20'd0)
        c_phase_q[0] <= c_phase_q[0] + 64'd1;
    end
  end
  genvar gp;
  generate
    for (gp = 0; gp < 11; gp = gp + 1) begin : gen_phase
      assign cnt_phase_o[gp*64 +: 64] = c_phase_q[gp];
    end
  endgenerate

  // unused status of the units (kept on the ports for unit tests), and the
  // fetcher row bits beyond a small D's q row
  wire unused_ok = &{1'b0, sm_busy, sm_ld_idle, tk_busy, f_row};
endmodule
