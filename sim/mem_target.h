// mem_target.h - TLM-2.0 memory target: serves 32-byte reads from the trace
// image with the delay the C DRAM model gives, and takes the posted writes
// of the head outputs (memmodel.h).
#ifndef SP_MEM_TARGET_H
#define SP_MEM_TARGET_H
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include "memmodel.h"

struct MemTarget : sc_core::sc_module {
    tlm_utils::simple_target_socket<MemTarget> socket;
    MemModel *mem;
    sc_core::sc_time period;

    MemTarget(sc_core::sc_module_name n, MemModel *m, sc_core::sc_time clk)
        : sc_module(n), socket("socket"), mem(m), period(clk)
    {
        socket.register_b_transport(this, &MemTarget::b_transport);
    }

    void b_transport(tlm::tlm_generic_payload &p, sc_core::sc_time &delay)
    {
        bool rd = p.get_command() == tlm::TLM_READ_COMMAND, wr = p.get_command() == tlm::TLM_WRITE_COMMAND;
        if ((!rd && !wr) || p.get_data_length() != spaddr::kBeatBytes) {
            p.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
            return;
        }
        uint64_t now = (uint64_t)((sc_core::sc_time_stamp() + delay) / period);
        if (wr) {
            // posted: the DRAM model books the bus time, the initiator goes on
            // (the delay says when the DRAM model completes it: the timing
            // comparison's write span, docs/rtl.md s9)
            uint64_t wdone;
            if (!mem->write(p.get_address(), now, p.get_data_ptr(), &wdone)) {
                p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
                return;
            }
            delay += period * (double)(wdone > now ? wdone - now : 0);
            p.set_response_status(tlm::TLM_OK_RESPONSE);
            return;
        }
        uint64_t done;
        if (!mem->read(p.get_address(), now, p.get_data_ptr(), &done)) {
            p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        delay += period * (double)(done > now ? done - now : 0);
        p.set_response_status(tlm::TLM_OK_RESPONSE);
    }
};
#endif
