// softmax.v - fixed-point softmax over n logits held in a score buffer
// (docs/spec.md s5; C: cmodel/softmax.c sp_softmax), Lanes (P) positions
// per cycle, two runs in flight. The score buffer has two banks; each bank
// is P lanes: position i is in lane i mod P, row i / P. Two sides work on
// different banks at once (docs/rtl.md s5):
//   load side (LdIdle, LdLoad): accept the n logits y (24-bit signed), up
//         to P a cycle, into the free bank lb; running max m of that bank
//         (a compare tree over the beat); at the last beat the bank is full;
//   back side (StIdle, StExp, StDiv, StInfo, StNorm) on the oldest full
//         bank eb, taken in the cycle its load ends:
//   EXP:  ceil(n/P) cycles: e = LUT[(m-y) & 255] >> ((m-y) >> 8) (0 if the
//         shift is >= 16) in every lane, written back over y; s += the
//         adder tree of the row's e (integer sums: the order does not
//         change s, so the result equals the C model's serial sum);
//   DIV:  R = floor(2^46 / s) by recip_div (47 steps);
//   INFO: max, sum, R and pmax held (info_valid_o) until the consumer takes
//         the run (take_i: NORM next) or drops it (abort_i: a requant);
//   NORM: stream rows of P probabilities p = min(32768, rnd(e*R, 31)).
// The bank is free again when NORM ends or the run is dropped. So run i+1
// loads while run i is in EXP, DIV, INFO or NORM. start_i is taken only
// when the load side is idle and bank lb is free (the controller starts a
// run only then).
// A LOAD beat carries y_n_i logits (1..P) in lanes off..off+y_n_i-1, off =
// (logits taken so far) mod P; off + y_n_i must not exceed P (a beat stays
// in one row). With y_valid_i (full beats), take_i and p_ready_i held at 1,
// and L = ceil(n/P), a run alone takes 3L + 50 cycles counted from the
// start cycle (0): beats are taken in cycles 1..L, the divider starts in
// cycle 2L, info_valid_o rises in cycle 2L+49, row 0 is offered in cycle
// 2L+50, the last row in cycle 3L+49 (tests/rtl/tb_softmax.cpp checks
// these, and two runs in flight).
// work_o: {back side, load side} working this cycle (docs/rtl.md s9): the
// load side's start cycle and its beats; the back side's EXP and DIV
// cycles and its NORM rows taken.
// Logit, probability and divider widths: sp_defs.vh (defs/spattn.defs).
`include "sp_defs.vh"
module softmax #(
  parameter integer MaxN  = 1024,  // score buffer entries a bank (max n)
  parameter integer Lanes = 1      // P: positions per cycle (a power of two)
) (
  input  wire                        clk_i,
  input  wire                        rst_ni,
  input  wire                        start_i,   // pulse: a run into bank lb (taken when ld_idle_o)
  input  wire [$clog2(MaxN+1)-1:0]   n_i,       // 1..MaxN (0: start ignored)
  input  wire                        abort_i,   // in INFO: drop the run (its bank is free)
  input  wire                        take_i,    // in INFO: the run goes on to NORM
  input  wire                        y_valid_i,
  output wire                        y_ready_o,
  input  wire [Lanes*`SP_LOGIT_BITS-1:0] y_i,   // lane j: position row*P + j
  input  wire [$clog2(Lanes+1)-1:0]  y_n_i,     // logits in this beat (1..P)
  output wire                        info_valid_o,
  output wire [`SP_LOGIT_BITS-1:0]  max_o,
  output wire [31:0]                 sum_o,
  output wire [31:0]                 recip_o,
  output wire [15:0]                 pmax_o,
  output wire                        p_valid_o,
  input  wire                        p_ready_i,
  output wire [Lanes*16-1:0]         p_o,       // lane j: p of position row*P + j
  output wire [$clog2(Lanes+1)-1:0]  p_n_o,     // positions in this row (1..P)
  output wire                        ld_idle_o, // the load side takes a start (bank lb free)
  output wire [1:0]                  work_o,    // {back side, load side} working
  output wire                        busy_o
);
  localparam integer NW = $clog2(MaxN + 1);
  localparam integer CW = NW + 1;                        // counters: n + P fits
  localparam integer LW = `SP_LOGIT_BITS;  // logits y and the max m
  localparam [15:0] POne = `SP_PROB_ONE;    // probability 1.0 (Q1.15)
  localparam integer PW = (Lanes > 1) ? $clog2(Lanes) : 0;  // lane bits
  localparam integer RN = (MaxN + Lanes - 1) / Lanes;        // rows
  localparam integer RW = (RN > 1) ? $clog2(RN) : 1;
  localparam integer YNW = $clog2(Lanes + 1);
  localparam integer SW = 17 + PW;                       // row sum of e (one spare bit)

  generate
    if (MaxN < 1 || MaxN > `SP_MAX_TOKENS) begin : gen_chk_maxn
      $error("softmax: MaxN must be 1..SP_MAX_TOKENS (spec s1: sum < 2^29)");
    end
    if (Lanes < 1 || (Lanes & (Lanes - 1)) != 0 || Lanes > MaxN) begin : gen_chk_lanes
      $error("softmax: Lanes must be a power of two, at most MaxN");
    end
  endgenerate

  localparam LdIdle = 1'b0, LdLoad = 1'b1;
  localparam [2:0] StIdle = 3'd0, StExp = 3'd1, StDiv = 3'd2, StInfo = 3'd3, StNorm = 3'd4;

  // load side
  reg          ld_q, ld_d;         // LdIdle, LdLoad
  reg          lb_q, lb_d;         // bank being loaded / loaded next
  reg [CW-1:0] lcnt_q, lcnt_d;     // logits taken in this load
  reg [1:0]    full_q, full_d;     // bank holds a loaded run not yet done
  reg [NW-1:0] n0_q, n0_d, n1_q, n1_d;          // n of each bank's run
  reg [LW-1:0] max0_q, max0_d, max1_q, max1_d;  // max of each bank's run
  // back side
  reg [2:0]    state_q, state_d;
  reg          eb_q, eb_d;         // bank of the back side's run
  reg [CW-1:0] cnt_q, cnt_d;       // positions done in this pass
  reg [31:0]   sum_q, sum_d;
  reg [31:0]   recip_q, recip_d;

  reg [Lanes-1:0]    ld_we, ex_we;
  reg [Lanes*LW-1:0] ex_wd;

  wire [NW-1:0] ln    = lb_q ? n1_q : n0_q;
  wire [LW-1:0] lmax  = lb_q ? max1_q : max0_q;
  wire [CW-1:0] n_c   = {1'b0, eb_q ? n1_q : n0_q};
  wire [LW-1:0] m_e   = eb_q ? max1_q : max0_q;  // max of the back side's run
  wire [RW-1:0] row   = cnt_q[PW +: RW];
  wire [RW-1:0] lrow  = lcnt_q[PW +: RW];
  wire [CW-1:0] ynw   = {{(CW-YNW){1'b0}}, y_n_i};
  wire          y_take   = (ld_q == LdLoad) && y_valid_i;
  wire          last_ld  = (lcnt_q + ynw >= {1'b0, ln});                 // LOAD: last beat
  wire          ld_end   = y_take && last_ld;
  wire          last_row = (cnt_q + Lanes[CW-1:0] >= n_c);               // EXP, NORM: last row
`ifdef SPATTN_MUTANT_SCORE_BANK
  // mutant (make test-mutant): a start is taken while bank lb still holds
  // a run, whose scores the load then overwrites
  wire          ld_go    = (ld_q == LdIdle) && start_i && n_i != {NW{1'b0}};
`else
  wire          ld_go    = (ld_q == LdIdle) && start_i && n_i != {NW{1'b0}} && !full_q[lb_q];
`endif
  wire [PW:0]   off;                                                     // lane of the next logit
  generate
    if (Lanes > 1) begin : gen_off
      assign off = {1'b0, lcnt_q[PW-1:0]};
    end else begin : gen_off1
      assign off = 1'b0;
    end
  endgenerate

  // per lane: the two banks' entries, whether the lane is in this beat
  // (LOAD) or below n (EXP, NORM), its e and its probability
  wire [Lanes-1:0]    in_beat, in_n;
  wire [Lanes*16-1:0] e;
  genvar j;
  generate
    for (j = 0; j < Lanes; j = j + 1) begin : gen_lane
      // lane j of each score bank: logits, then e (zero-extended); one write
      // port each, written by the side that holds the bank (the load side's
      // bank is never the back side's), read by the back side at its row
      // (no reset: a memory)
      reg [LW-1:0] bk0_q [0:RN-1];
      reg [LW-1:0] bk1_q [0:RN-1];
      wire ld0 = ld_we[j] && !lb_q, ld1 = ld_we[j] && lb_q;
      wire [LW-1:0] yl = y_i[j*LW +: LW];
      always @(posedge clk_i) begin
        if (ld0 || (ex_we[j] && !eb_q))
          bk0_q[ld0 ? lrow : row] <= ld0 ? yl : ex_wd[j*LW +: LW];
        if (ld1 || (ex_we[j] && eb_q))
          bk1_q[ld1 ? lrow : row] <= ld1 ? yl : ex_wd[j*LW +: LW];
      end
      wire [LW-1:0] r = eb_q ? bk1_q[row] : bk0_q[row];
      localparam [PW:0]   JL = j;
      localparam [CW-1:0] JC = j;
      assign in_beat[j] = (JL >= off) && ({1'b0, JL} < {1'b0, off} + {1'b0, y_n_i});
      assign in_n[j]    = (cnt_q + JC < n_c);
      // exp of the distance below the max (dst in Q.LOGIT_FRAC: the
      // fraction indexes the LUT, the integer part shifts; a shift of 16 or
      // more gives 0)
      wire [LW-1:0] dst = m_e - r;
      wire [15:0] lut_val;
      exp_lut u_exp_lut (
        .idx_i (dst[`SP_LOGIT_FRAC-1:0]),
        .val_o (lut_val)
      );
      // e is read in EXP only, p in NORM only (p_valid_o): each is formed
      // in its state and 0 in the others (the simulator evaluates this
      // logic every cycle)
      reg [15:0] e_l, p_l;
      reg [47:0] er;
      reg [17:0] p_w;
      always @(*) begin
        e_l = 16'd0;
        p_l = 16'd0;
        er  = 48'd0;
        p_w = 18'd0;
        if (state_q == StExp)
          e_l = (|dst[LW-1:`SP_LOGIT_FRAC+4]) ? 16'd0 :
                (lut_val >> dst[`SP_LOGIT_FRAC+3:`SP_LOGIT_FRAC]);
        // normalise: p = min(32768, (e*R + 2^30) >> 31), e < 2^16, R < 2^32;
        // rnd(x, 31) = (x >> 31) + x[30]
        if (state_q == StNorm) begin
          er  = r[15:0] * recip_q;
          p_w = {1'b0, er[47:31]} + {17'd0, er[30]};
          p_l = (p_w > {2'b0, POne}) ? POne : p_w[15:0];
        end
      end
      assign e[j*16 +: 16]   = e_l;
      assign p_o[j*16 +: 16] = p_l;
      wire unused_er = ^er[29:0];
    end
  endgenerate

  // compare tree over the beat's lanes (heap order: node i has children
  // 2i+1, 2i+2; the P leaves are nodes P-1..2P-2) and adder tree of the
  // row's e (lanes at or beyond n add 0)
  reg [(2*Lanes-1)*LW-1:0] mx_t;
  reg [2*Lanes-2:0]        mv_t;
  reg [(2*Lanes-1)*SW-1:0] sm_t;
  integer i, k;
  always @(*) begin
    mx_t = {(2*Lanes-1)*LW{1'b0}};
    mv_t = {(2*Lanes-1){1'b0}};
    sm_t = {(2*Lanes-1)*SW{1'b0}};
    for (i = 0; i < Lanes; i = i + 1) begin
      mx_t[(Lanes-1+i)*LW +: LW] = y_i[i*LW +: LW];
      mv_t[Lanes-1+i]            = in_beat[i];
      sm_t[(Lanes-1+i)*SW +: SW] = in_n[i] ? {{(SW-16){1'b0}}, e[i*16 +: 16]} : {SW{1'b0}};
    end
    for (i = Lanes - 2; i >= 0; i = i - 1) begin
      mv_t[i] = mv_t[2*i+1] | mv_t[2*i+2];
      if (!mv_t[2*i+2] || (mv_t[2*i+1] &&
          $signed(mx_t[(2*i+1)*LW +: LW]) >= $signed(mx_t[(2*i+2)*LW +: LW])))
        mx_t[i*LW +: LW] = mx_t[(2*i+1)*LW +: LW];
      else
        mx_t[i*LW +: LW] = mx_t[(2*i+2)*LW +: LW];
      sm_t[i*SW +: SW] = sm_t[(2*i+1)*SW +: SW] + sm_t[(2*i+2)*SW +: SW];
    end
  end
  wire [LW-1:0] beat_max = mx_t[LW-1:0];
  wire [SW-1:0] row_sum  = sm_t[SW-1:0];

  // reciprocal
  wire        div_start = (state_q == StExp) && last_row;
  wire        div_busy, div_done;
  wire [`SP_DIV_STEPS-1:0] div_quot;
  wire [31:0] div_rem;
  recip_div #(
    .NumW (`SP_DIV_STEPS),
    .DenW (32)
  ) u_recip_div (
    .clk_i   (clk_i),
    .rst_ni  (rst_ni),
    .start_i (div_start),
    .num_i   ({1'b1, {`SP_RECIP_SHIFT{1'b0}}}),  // 2^SP_RECIP_SHIFT
    .den_i   (sum_d),
    .busy_o  (div_busy),
    .done_o  (div_done),
    .quot_o  (div_quot),
    .rem_o   (div_rem)
  );

  // pmax = norm(32768, R) = min(32768, (R + 2^15) >> 16): the max token has e = 32768
  wire [16:0] pm_r = {1'b0, recip_q[31:16]} + {16'd0, recip_q[15]};
  assign pmax_o = (pm_r > {1'b0, POne}) ? POne : pm_r[15:0];

  wire p_take = (state_q == StNorm) && p_ready_i;
  wire bk_free;  // the back side's run ends this cycle: its bank is free

  // load side
  always @(*) begin
    ld_d = ld_q;  lb_d = lb_q;  lcnt_d = lcnt_q;  n0_d = n0_q;  n1_d = n1_q;
    max0_d = max0_q;  max1_d = max1_q;  ld_we = {Lanes{1'b0}};
    case (ld_q)
      // wait for a start while bank lb is free
      LdIdle: begin
        if (ld_go) begin
          ld_d = LdLoad;
          lcnt_d = {CW{1'b0}};
          if (lb_q) n1_d = n_i; else n0_d = n_i;
        end
      end
      // logits into bank lb, y_n_i a beat; the last beat fills it
      default: begin
        if (y_take) begin
          ld_we = in_beat;
          if (lcnt_q == {CW{1'b0}} || $signed(beat_max) > $signed(lmax)) begin
            if (lb_q) max1_d = beat_max; else max0_d = beat_max;
          end
          lcnt_d = lcnt_q + ynw;
          if (last_ld) begin
            ld_d = LdIdle;
            lb_d = ~lb_q;
          end
        end
      end
    endcase
  end

  // back side
  always @(*) begin
    state_d = state_q;
    eb_d    = eb_q;
    cnt_d   = cnt_q;
    sum_d   = sum_q;
    recip_d = recip_q;
    ex_we   = {Lanes{1'b0}};
    ex_wd   = {Lanes*LW{1'b0}};
    for (k = 0; k < Lanes; k = k + 1)
      ex_wd[k*LW +: LW] = {{(LW-16){1'b0}}, e[k*16 +: 16]};
    case (state_q)
      // wait for bank eb to be full (or to fill this cycle)
      StIdle: begin
        if (full_q[eb_q] || (ld_end && lb_q == eb_q)) begin
          state_d = StExp;
          cnt_d   = {CW{1'b0}};
          sum_d   = 32'd0;
        end
      end
      // a row of e a cycle, written over the logits; their sum
      StExp: begin
        ex_we = {Lanes{1'b1}};
        sum_d = sum_q + {{(32-SW){1'b0}}, row_sum};
        cnt_d = cnt_q + Lanes[CW-1:0];
        if (last_row) begin
          state_d = StDiv;
          cnt_d   = {CW{1'b0}};
        end
      end
      // the reciprocal of the sum
      StDiv: begin
        if (div_done) begin
          state_d = StInfo;
          recip_d = div_quot[31:0];
        end
      end
      // max, sum and pmax held for the consumer's decision
      StInfo: begin
        if (abort_i)
          state_d = StIdle;
        else if (take_i)
          state_d = StNorm;
      end
      // a row of probabilities a cycle
      StNorm: begin
        if (p_take) begin
          cnt_d = cnt_q + Lanes[CW-1:0];
          if (last_row)
            state_d = StIdle;
        end
      end
      default: state_d = StIdle;
    endcase
    if (bk_free)
      eb_d = ~eb_q;
  end
  assign bk_free = (state_q == StInfo && abort_i) || (p_take && last_row);

  always @(*) begin
    full_d = full_q;
    if (ld_end)
      full_d[lb_q] = 1'b1;
    if (bk_free)
      full_d[eb_q] = 1'b0;
  end

  always @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_q    <= LdIdle;
      lb_q    <= 1'b0;
      lcnt_q  <= {CW{1'b0}};
      full_q  <= 2'b00;
      n0_q    <= {NW{1'b0}};
      n1_q    <= {NW{1'b0}};
      max0_q  <= {LW{1'b0}};
      max1_q  <= {LW{1'b0}};
      state_q <= StIdle;
      eb_q    <= 1'b0;
      cnt_q   <= {CW{1'b0}};
      sum_q   <= 32'd0;
      recip_q <= 32'd0;
    end else begin
      ld_q    <= ld_d;
      lb_q    <= lb_d;
      lcnt_q  <= lcnt_d;
      full_q  <= full_d;
      n0_q    <= n0_d;
      n1_q    <= n1_d;
      max0_q  <= max0_d;
      max1_q  <= max1_d;
      state_q <= state_d;
      eb_q    <= eb_d;
      cnt_q   <= cnt_d;
      sum_q   <= sum_d;
      recip_q <= recip_d;
    end
  end

  // positions in the NORM row: min(P, n - cnt)
  wire [CW-1:0] left = n_c - cnt_q;
  assign p_n_o = (left >= Lanes[CW-1:0]) ? Lanes[YNW-1:0] : left[YNW-1:0];

  assign y_ready_o    = (ld_q == LdLoad);
  assign p_valid_o    = (state_q == StNorm);
  assign info_valid_o = (state_q == StInfo);
  assign max_o        = m_e;
  assign sum_o        = sum_q;
  assign recip_o      = recip_q;
  assign ld_idle_o    = (ld_q == LdIdle) && !full_q[lb_q];
  assign work_o       = {(state_q == StExp) || (state_q == StDiv) || p_take, ld_go || y_take};
  assign busy_o       = (ld_q != LdIdle) || (state_q != StIdle) || (|full_q) || div_busy;

  // the quotient is < 2^32 (s >= 32768) and the remainder is not needed
  wire unused_div = ^{div_quot[`SP_DIV_STEPS-1:32], div_rem};
endmodule
