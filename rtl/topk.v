// topk.v - top-k engine: zero eliminator plus quick-select with the middle
// pivot and stable G/L partition (docs/spec.md s7; C: cmodel/topk.c sp_topk).
// Keeps the k largest of the total order (key descending, position
// ascending) and reports a kept flag per position.
//
// Cycle by cycle (counted in cycles_o, equal to sp_topk's stats.cycles):
//   ZERO   one cycle per input beat of NCmp keys: non-zero keys are
//          appended to the candidate buffer, zeros are flagged;
//   round: PIVOT  1 cycle: pivot = cand[|cand| >> 1];
//          STREAM ceil(|cand|/NCmp) cycles: NCmp comparators, G and L
//                 (before / after the pivot) appended in arrival order;
//          SWAP   RoundOverhead-1 cycles: decide, swap the buffer roles.
// Three candidate buffers rotate roles (cand, G, L). Each is NCmp banks of
// ceil(MaxN/NCmp) rows (entry i in bank i mod NCmp, row i div NCmp), so a
// STREAM beat reads one row of all banks and an append of up to NCmp
// entries writes each bank at most once: every bank is a memory with one
// write port. Keeping a whole G or L list is done lazily: each position's
// last (round, side) is recorded as its tag (the pivot's too, at the
// decision) and a per-(round, side) "kept" bit is set; the flag readout
// combines them with the zero flags (kept = non-zero and its tag kept).
// MaxN's limit: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module topk #(
  parameter integer KeyW          = 48,    // key bits (unsigned)
  parameter integer MaxN          = 1024,  // max elements
  parameter integer NCmp          = 16,    // comparators = keys per cycle
  parameter integer RoundOverhead = 2      // cycles per round besides streaming
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      start_i,    // pulse, accepted when !busy_o
  input  wire [$clog2(MaxN+1)-1:0] n_i,        // 0..MaxN
  input  wire [$clog2(MaxN+1)-1:0] k_i,        // clamped to n
  input  wire                      in_valid_i,
  output wire                      in_ready_o,
  input  wire [NCmp*KeyW-1:0]      in_keys_i,  // beat b lane i: position b*NCmp+i
  output wire                      done_o,     // one-cycle pulse
  output wire [31:0]               cycles_o,
  output wire [31:0]               rounds_o,
  output wire [31:0]               compares_o,
  output wire [31:0]               zeros_o,
  output wire                      out_valid_o,
  input  wire                      out_ready_i,
  output wire [NCmp-1:0]           out_kept_o, // beat b lane i: position b*NCmp+i kept
  output wire                      busy_o
);
  localparam integer NW = $clog2(MaxN + 1);            // counts 0..MaxN
  localparam integer AW = (MaxN > 1) ? $clog2(MaxN) : 1;  // positions
  localparam integer EW = KeyW + AW;                   // buffer entry {key, pos}
  localparam integer CW = NW + 1;                      // stream pointers (+NCmp)

  generate
    if (KeyW < 1 || KeyW > 64) begin : gen_chk_keyw
      $error("topk: KeyW must be 1..64");
    end
    if (MaxN < 2 || MaxN > `SP_MAX_TOKENS || (MaxN & (MaxN - 1)) != 0) begin : gen_chk_maxn
      $error("topk: MaxN must be a power of two, 2..SP_MAX_TOKENS (spec s1)");
    end
    if (NCmp < 1 || NCmp > MaxN) begin : gen_chk_ncmp
      $error("topk: NCmp must be 1..MaxN");
    end
    if (RoundOverhead < 2 || RoundOverhead > 255) begin : gen_chk_ro
      $error("topk: RoundOverhead must be 2..255 (pivot load + decision)");
    end
  endgenerate

  localparam [2:0] StIdle = 3'd0, StZero = 3'd1, StPivot = 3'd2, StStream = 3'd3,
                   StSwap = 3'd4, StDone = 3'd5, StOut = 3'd6;
  localparam integer  NCmpI = NCmp;
  localparam [CW-1:0] NCmpC = NCmpI[CW-1:0];
  localparam integer RoI = RoundOverhead - 1;
  localparam [7:0]    SwapCycles = RoI[7:0];
  localparam integer Rows = (MaxN + NCmp - 1) / NCmp;       // rows of a bank
  localparam integer RW   = (Rows > 1) ? $clog2(Rows) : 1;
  localparam integer BW   = (NCmp > 1) ? $clog2(NCmp) : 1;  // bank index
  localparam [NW-1:0] NCmpN = NCmpI[NW-1:0];                // NCmp <= MaxN fits NW bits

  // ---------------------------------------------------------------- state
  reg [2:0]      state_q, state_d;
  reg [NW-1:0]   n_q, n_d;
  reg [NW-1:0]   k_q, k_d;
  reg [CW-1:0]   ptr_q, ptr_d;      // ZERO/OUT: position of lane 0; STREAM: read index
  reg [RW-1:0]   row_q, row_d;      // ptr_q / NCmp: the bank row of this beat
  reg [NW-1:0]   nc_q, nc_d;        // |cand|
  reg [NW-1:0]   need_q, need_d;
  reg [NW-1:0]   gcnt_q, gcnt_d, lcnt_q, lcnt_d;
  reg [1:0]      cur_q, cur_d, gb_q, gb_d, lb_q, lb_d;  // buffer roles
  reg [EW-1:0]   piv_q, piv_d;
  reg [AW-1:0]   round_q, round_d;  // rounds <= n - 1 < MaxN
  reg [7:0]      wait_q, wait_d;
  reg            fallback_q, fallback_d;  // |non-zero| <= k: keep non-zeros + first zeros
  reg [NW-1:0]   zc_q, zc_d;               // zeros seen in OUT
  reg [31:0]     cycles_q, cycles_d, rounds_q, rounds_d, compares_q, compares_d, zeros_q, zeros_d;

  // memories (no reset): zero flags by beat, tags by position; kept bits
  reg [NCmp-1:0]   zrow_q [0:Rows-1];  // ZERO beat b: lane i's key is 0
  reg [AW:0]       tag_q [0:MaxN-1];   // {round, side (1 = L)} of the last partition
  reg [2*MaxN-1:0] commit_q;           // commit[{round, side}]: that list is kept

  // ------------------------------------------------------- candidate banks
  // buffer b, bank j: entries {key, pos}; one read row (ra) for all banks
  wire            str = (state_q == StStream);
  wire [NW-1:0]   pidx = {1'b0, nc_q[NW-1:1]};  // pivot index |cand| >> 1
  wire [NW-1:0]   prow = pidx / NCmpN;
  wire [NW-1:0]   pbank = pidx % NCmpN;
  wire [RW-1:0]   ra = (state_q == StPivot) ? prow[RW-1:0] : row_q;
  wire [EW-1:0]   bank_rd [0:3*NCmp-1];   // buffer b bank j at b*NCmp + j
  reg  [EW-1:0]   lent [0:NCmp-1];        // lane j: bank j of the candidate buffer

  // ------------------------------------------------------- lane decode
  // lane i: element (key, position) of this cycle, flat vectors; decoded
  // only in the states that read them (ZERO, PIVOT, STREAM, OUT), 0 in the
  // others (the simulator evaluates the block every cycle: idle, it is
  // one test)
  reg [NCmp*KeyW-1:0] lkey;   // key of each lane
  reg [NCmp*AW-1:0]   lpos;   // position of each lane
  reg [NCmp-1:0]      lval;   // lane holds an element
  reg [NCmp-1:0]      lg;     // STREAM: goes to G (before the pivot)
  reg [NCmp-1:0]      ll;     // STREAM: goes to L
  reg [NCmp-1:0]      lnz;    // ZERO: non-zero key

  wire [KeyW-1:0] pkey = piv_q[EW-1:AW];
  wire [AW-1:0]   ppos = piv_q[AW-1:0];
  wire            lanes_on = (state_q == StZero) || (state_q == StPivot) || str || (state_q == StOut);

  integer         ln;
  reg  [CW-1:0]   l_i;
  reg  [EW-1:0]   l_ent;
  reg  [KeyW-1:0] l_key;
  reg  [AW-1:0]   l_pos;
  reg             l_val, l_oth, l_bef;
  always @(*) begin
    lkey = {NCmp*KeyW{1'b0}};
    lpos = {NCmp*AW{1'b0}};
    lval = {NCmp{1'b0}};
    lg   = {NCmp{1'b0}};
    ll   = {NCmp{1'b0}};
    lnz  = {NCmp{1'b0}};
    l_i  = {CW{1'b0}};  l_ent = {EW{1'b0}};  l_key = {KeyW{1'b0}};  l_pos = {AW{1'b0}};
    l_val = 1'b0;  l_oth = 1'b0;  l_bef = 1'b0;
    for (ln = 0; ln < NCmp; ln = ln + 1)
      lent[ln] = {EW{1'b0}};
    if (lanes_on) begin
      for (ln = 0; ln < NCmp; ln = ln + 1) begin
        l_i   = ptr_q + ln[CW-1:0];
        l_ent = (cur_q == 2'd0) ? bank_rd[ln] :
                (cur_q == 2'd1) ? bank_rd[NCmp + ln] : bank_rd[2*NCmp + ln];
        l_key = str ? l_ent[EW-1:AW] : in_keys_i[ln*KeyW +: KeyW];
        l_pos = str ? l_ent[AW-1:0] : l_i[AW-1:0];
        l_val = str ? (l_i < {1'b0, nc_q}) : (l_i < {1'b0, n_q});
        l_oth = l_val && (l_pos != ppos);
`ifdef SPATTN_MUTANT_TOPK_TIE
        // deliberate mutant for `make test-mutant`: ties go to the higher position
        l_bef = (l_key > pkey) || (l_key == pkey && l_pos > ppos);
`else
        l_bef = (l_key > pkey) || (l_key == pkey && l_pos < ppos);
`endif
        lent[ln]               = l_ent;
        lkey[ln*KeyW +: KeyW]  = l_key;
        lpos[ln*AW +: AW]      = l_pos;
        lval[ln]               = l_val;
        lnz[ln]                = l_val && (l_key != {KeyW{1'b0}});
        lg[ln]                 = l_oth && l_bef;
        ll[ln]                 = l_oth && !l_bef;
      end
    end
  end

  // exclusive prefix counts of the lanes appended to G (or the candidates
  // in ZERO) and to L (or the zeros in ZERO): write offsets in the buffers
  wire [NCmp-1:0] incg = (state_q == StZero) ? lnz : lg;
  wire [NCmp-1:0] incl = (state_q == StZero) ? (lval & ~lnz) : ll;
  reg  [NCmp*AW-1:0] pg, pl;  // < NCmp <= MaxN: AW bits
  reg  [NW-1:0]      cntg, cntl;
  integer i;
  // (read in ZERO and STREAM only; 0 in the other states)
  always @(*) begin
    cntg = {NW{1'b0}};
    cntl = {NW{1'b0}};
    pg   = {NCmp*AW{1'b0}};
    pl   = {NCmp*AW{1'b0}};
    if (state_q == StZero || str) begin
      for (i = 0; i < NCmp; i = i + 1) begin
        pg[i*AW +: AW] = cntg[AW-1:0];
        pl[i*AW +: AW] = cntl[AW-1:0];
        cntg = cntg + {{(NW-1){1'b0}}, incg[i]};
        cntl = cntl + {{(NW-1){1'b0}}, incl[i]};
      end
    end
  end

  // appends: stream A (non-zeros in ZERO, G in STREAM) at index abase + pg,
  // stream B (L in STREAM) at lbase + pl. Entry index x goes to bank
  // x mod NCmp, row x div NCmp; the lanes of one beat hit distinct banks.
  wire          in_take = (state_q == StZero) && in_valid_i;
  wire [NW-1:0] abase = (state_q == StZero) ? nc_q : gcnt_q;
  wire [NW-1:0] abank = abase % NCmpN;
  wire [NW-1:0] arow  = abase / NCmpN;
  wire [NW-1:0] bbank = lcnt_q % NCmpN;
  wire [NW-1:0] brow  = lcnt_q / NCmpN;
  reg  [EW-1:0]   wa_d [0:NCmp-1];
  reg  [EW-1:0]   wb_d [0:NCmp-1];
  reg  [NCmp-1:0] wa_en, wb_en;
  reg  [CW-1:0]   ta, tb;
  // quotients and remainders below Rows and NCmp: their high bits are 0
  wire unused_hi = ^{prow[NW-1:RW], pbank[NW-1:BW], arow[NW-1:RW], brow[NW-1:RW]};
  always @(*) begin
    wa_en = {NCmp{1'b0}};
    wb_en = {NCmp{1'b0}};
    ta    = {CW{1'b0}};
    tb    = {CW{1'b0}};
    for (i = 0; i < NCmp; i = i + 1) begin
      wa_d[i] = {EW{1'b0}};
      wb_d[i] = {EW{1'b0}};
    end
    // only in a cycle that appends (no write enable otherwise)
    if (in_take || str) for (i = 0; i < NCmp; i = i + 1) begin
      // (bank + offset) mod NCmp, both terms below NCmp
      ta = {1'b0, abank} + {{(CW-AW){1'b0}}, pg[i*AW +: AW]};
      tb = {1'b0, bbank} + {{(CW-AW){1'b0}}, pl[i*AW +: AW]};
      if (ta >= {1'b0, NCmpN}) ta = ta - {1'b0, NCmpN};
      if (tb >= {1'b0, NCmpN}) tb = tb - {1'b0, NCmpN};
      // ORed in through an AND mask rather than selected: the entries
      // reach the banks through no multiplexer chain (Yosys' share pass
      // walks such chains from every bank read); lane 0 finds its bank
      // empty, so it assigns (no read of the all-zero array, which Yosys
      // would turn into a ROM)
      if (i == 0) begin
        wa_en[ta[BW-1:0]] = incg[i];
        wa_d[ta[BW-1:0]]  = {EW{incg[i]}} & {lkey[i*KeyW +: KeyW], lpos[i*AW +: AW]};
        wb_en[tb[BW-1:0]] = ll[i];
        wb_d[tb[BW-1:0]]  = {EW{ll[i]}} & {lkey[i*KeyW +: KeyW], lpos[i*AW +: AW]};
      end else begin
        wa_en[ta[BW-1:0]] = wa_en[ta[BW-1:0]] | incg[i];
        wa_d[ta[BW-1:0]]  = wa_d[ta[BW-1:0]] | ({EW{incg[i]}} & {lkey[i*KeyW +: KeyW], lpos[i*AW +: AW]});
        wb_en[tb[BW-1:0]] = wb_en[tb[BW-1:0]] | ll[i];
        wb_d[tb[BW-1:0]]  = wb_d[tb[BW-1:0]] | ({EW{ll[i]}} & {lkey[i*KeyW +: KeyW], lpos[i*AW +: AW]});
      end
    end
  end

  genvar b, j;
  generate
    for (b = 0; b < 3; b = b + 1) begin : gen_buf
      localparam [1:0] Buf = b;
      // this buffer takes stream A (as cand in ZERO or G in STREAM) or B (as L)
      wire sa = (in_take && cur_q == Buf) || (str && gb_q == Buf);
      wire sb = str && lb_q == Buf;
      for (j = 0; j < NCmp; j = j + 1) begin : gen_bank
        localparam [NW-1:0] Bank = j;
        reg  [EW-1:0] mem_q [0:Rows-1];
        // a bank below the start bank takes the next row (the row and
        // data are formed in the write's branch: evaluated only then)
        always @(posedge clk_i) begin
          if (sa && wa_en[j])
            mem_q[arow[RW-1:0] + ((Bank < abank) ? {{(RW-1){1'b0}}, 1'b1} : {RW{1'b0}})] <= wa_d[j];
          else if (sb && wb_en[j])
            mem_q[brow[RW-1:0] + ((Bank < bbank) ? {{(RW-1){1'b0}}, 1'b1} : {RW{1'b0}})] <= wb_d[j];
        end
        assign bank_rd[b*NCmp + j] = mem_q[ra];
      end
    end
  endgenerate

  // ------------------------------------------------------- flag readout
  // fallback: kept = non-zero, or a zero among the first (k - nc) zeros;
  // otherwise kept = non-zero and the list of its tag kept
  wire [NCmp-1:0] zrd = zrow_q[row_q];
  reg [NCmp-1:0] kept;
  reg [NW-1:0]   zrank;
  reg [NW-1:0]   zlimit;
  // (read in OUT only; 0 in the other states)
  always @(*) begin
    zrank  = zc_q;
    zlimit = k_q - nc_q;
    kept   = {NCmp{1'b0}};
    if (state_q == StOut) for (i = 0; i < NCmp; i = i + 1) begin
      kept[i] = 1'b0;
      if (lval[i]) begin
        if (fallback_q) begin
          if (!zrd[i])
            kept[i] = 1'b1;
          else begin
            kept[i] = (zrank < zlimit);
            zrank   = zrank + {{(NW-1){1'b0}}, 1'b1};
          end
        end else begin
          kept[i] = !zrd[i] && commit_q[tag_q[lpos[i*AW +: AW]]];
        end
      end
    end
  end

  // ------------------------------------------------------- control
  wire out_take = (state_q == StOut) && out_ready_i;
  wire [CW-1:0] ptr_next = ptr_q + NCmpC;
  wire [RW-1:0] row_next = row_q + {{(RW-1){1'b0}}, 1'b1};
  wire [NW-1:0] one = {{(NW-1){1'b0}}, 1'b1};
  reg  [NW-1:0] nc_new;
  reg  [NW-1:0] kk;
  // SWAP decision inputs
  wire          g_enough = (gcnt_q >= need_q);
  wire          g_exact  = (gcnt_q + one == need_q);
  wire [NW-1:0] need_l   = need_q - gcnt_q - one;
  wire [AW:0]   cidx_g   = {round_q, 1'b0};
  wire [AW:0]   cidx_l   = {round_q, 1'b1};
  wire          swap_set = (state_q == StSwap) && (wait_q == 8'd1);

  always @(*) begin
    state_d    = state_q;
    n_d        = n_q;
    k_d        = k_q;
    ptr_d      = ptr_q;
    row_d      = row_q;
    nc_d       = nc_q;
    need_d     = need_q;
    gcnt_d     = gcnt_q;
    lcnt_d     = lcnt_q;
    cur_d      = cur_q;
    gb_d       = gb_q;
    lb_d       = lb_q;
    piv_d      = piv_q;
    round_d    = round_q;
    wait_d     = wait_q;
    fallback_d = fallback_q;
    zc_d       = zc_q;
    cycles_d   = cycles_q;
    rounds_d   = rounds_q;
    compares_d = compares_q;
    zeros_d    = zeros_q;
    nc_new     = nc_q + cntg;
    kk         = (k_i > n_i) ? n_i : k_i;
    case (state_q)
      StIdle: begin
        if (start_i) begin
          n_d        = n_i;
          k_d        = kk;
          ptr_d      = {CW{1'b0}};
          row_d      = {RW{1'b0}};
          nc_d       = {NW{1'b0}};
          cur_d      = 2'd0;
          gb_d       = 2'd1;
          lb_d       = 2'd2;
          round_d    = {AW{1'b0}};
          fallback_d = 1'b0;
          cycles_d   = 32'd0;
          rounds_d   = 32'd0;
          compares_d = 32'd0;
          zeros_d    = 32'd0;
          state_d    = (n_i == {NW{1'b0}}) ? StDone : StZero;
        end
      end
      StZero: begin
        if (in_take) begin
          cycles_d = cycles_q + 32'd1;
          zeros_d  = zeros_q + {{(32-NW){1'b0}}, cntl};
          nc_d     = nc_new;
          ptr_d    = ptr_next;
          row_d    = row_next;
          if (ptr_next >= {1'b0, n_q}) begin
            ptr_d  = {CW{1'b0}};
            row_d  = {RW{1'b0}};
            need_d = k_q;
            if (nc_new <= k_q) begin
              // all non-zeros kept (plus the first zeros); no quick-select
              fallback_d = 1'b1;
              state_d    = StDone;
            end else if (k_q == {NW{1'b0}})
              state_d = StDone;
            else
              state_d = StPivot;
          end
        end
      end
      StPivot: begin
        cycles_d = cycles_q + 32'd1;
        piv_d    = lent[pbank[BW-1:0]];
        ptr_d    = {CW{1'b0}};
        row_d    = {RW{1'b0}};
        gcnt_d   = {NW{1'b0}};
        lcnt_d   = {NW{1'b0}};
        state_d  = StStream;
      end
      StStream: begin
        cycles_d = cycles_q + 32'd1;
        gcnt_d   = gcnt_q + cntg;
        lcnt_d   = lcnt_q + cntl;
        ptr_d    = ptr_next;
        row_d    = row_next;
        if (ptr_next >= {1'b0, nc_q}) begin
          rounds_d   = rounds_q + 32'd1;
          compares_d = compares_q + {{(32-NW){1'b0}}, nc_q} - 32'd1;
          wait_d     = SwapCycles;
          state_d    = StSwap;
        end
      end
      StSwap: begin
        cycles_d = cycles_q + 32'd1;
        wait_d   = wait_q - 8'd1;
        if (wait_q == 8'd1) begin
          round_d = round_q + {{(AW-1){1'b0}}, 1'b1};
          state_d = StPivot;
          if (g_enough) begin
            // cand = G
            cur_d = gb_q;
            gb_d  = cur_q;
            nc_d  = gcnt_q;
            if (gcnt_q == need_q)
              state_d = StDone;   // keep all of G (commit below)
          end else if (g_exact) begin
            state_d = StDone;     // keep G and the pivot
          end else begin
            // keep G and the pivot, cand = L
            cur_d  = lb_q;
            lb_d   = cur_q;
            nc_d   = lcnt_q;
            need_d = need_l;
            if (need_l == lcnt_q)
              state_d = StDone;   // keep all of L
          end
        end
      end
      StDone: begin
        ptr_d   = {CW{1'b0}};
        row_d   = {RW{1'b0}};
        zc_d    = {NW{1'b0}};
        state_d = (n_q == {NW{1'b0}}) ? StIdle : StOut;
      end
      StOut: begin
        if (out_take) begin
          ptr_d = ptr_next;
          row_d = row_next;
          zc_d  = zrank;
          if (ptr_next >= {1'b0, n_q})
            state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StIdle;
      n_q        <= {NW{1'b0}};
      k_q        <= {NW{1'b0}};
      ptr_q      <= {CW{1'b0}};
      row_q      <= {RW{1'b0}};
      nc_q       <= {NW{1'b0}};
      need_q     <= {NW{1'b0}};
      gcnt_q     <= {NW{1'b0}};
      lcnt_q     <= {NW{1'b0}};
      cur_q      <= 2'd0;
      gb_q       <= 2'd1;
      lb_q       <= 2'd2;
      piv_q      <= {EW{1'b0}};
      round_q    <= {AW{1'b0}};
      wait_q     <= 8'd0;
      fallback_q <= 1'b0;
      zc_q       <= {NW{1'b0}};
      cycles_q   <= 32'd0;
      rounds_q   <= 32'd0;
      compares_q <= 32'd0;
      zeros_q    <= 32'd0;
      for (i = 0; i < 2*MaxN; i = i + 1)  // a loop: no >8k-bit replications
        commit_q[i] <= 1'b0;
    end else begin
      state_q    <= state_d;
      n_q        <= n_d;
      k_q        <= k_d;
      ptr_q      <= ptr_d;
      row_q      <= row_d;
      nc_q       <= nc_d;
      need_q     <= need_d;
      gcnt_q     <= gcnt_d;
      lcnt_q     <= lcnt_d;
      cur_q      <= cur_d;
      gb_q       <= gb_d;
      lb_q       <= lb_d;
      piv_q      <= piv_d;
      round_q    <= round_d;
      wait_q     <= wait_d;
      fallback_q <= fallback_d;
      zc_q       <= zc_d;
      cycles_q   <= cycles_d;
      rounds_q   <= rounds_d;
      compares_q <= compares_d;
      zeros_q    <= zeros_d;
      // kept bits: cleared at start, set by the SWAP decision
      if (state_q == StIdle && start_i) begin
        for (i = 0; i < 2*MaxN; i = i + 1)
          commit_q[i] <= 1'b0;
      end else if (swap_set) begin
        if (!g_enough || gcnt_q == need_q)
          commit_q[cidx_g] <= 1'b1;
        if (!g_enough && !g_exact && need_l == lcnt_q)
          commit_q[cidx_l] <= 1'b1;
      end
    end
  end

  // zero flags of each ZERO beat; the tag of each partitioned element, and
  // the pivot's at the decision: (round, G) if kept, else (round, L), a
  // list never kept when the pivot is not (every position with a non-zero
  // key gets a tag in round 0, so no tag of an earlier run is read)
  always @(posedge clk_i) begin
    if (in_take)
      zrow_q[row_q] <= lval & ~lnz;
    if (str) begin
      for (i = 0; i < NCmp; i = i + 1)
        if (lg[i] || ll[i])
          tag_q[lpos[i*AW +: AW]] <= {round_q, ll[i]};
    end
    if (swap_set)
      tag_q[ppos] <= {round_q, g_enough};
  end

  assign in_ready_o  = (state_q == StZero);
  assign done_o      = (state_q == StDone);
  assign cycles_o    = cycles_q;
  assign rounds_o    = rounds_q;
  assign compares_o  = compares_q;
  assign zeros_o     = zeros_q;
  assign out_valid_o = (state_q == StOut);
  assign out_kept_o  = kept;
  assign busy_o      = (state_q != StIdle);
endmodule
